// The container route as a library, on a real engine: what it refuses (no
// engine, a missing image, a container that dies before it is ready: exit 3 with
// a message that says which, and nothing left behind), the reaper (a process
// that dies without stopping its container), `chaos reset` (containers left by
// ended processes, not those of live ones), a containerised Jaeger that really
// stores a span, and `doctor`'s lines for the engine and the images.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chaosReset } from '../../src/app/chaos-reset.js';
import { doctor } from '../../src/app/doctor.js';
import {
  engineAddress,
  JAEGER_IMAGE,
  LABEL_MANAGED,
  LABEL_PID,
  LABEL_ROLE,
  type ListedContainer,
  listContainers,
  startContainer,
  startJaegerContainer,
  startToxiproxyContainer,
  TOXIPROXY_IMAGE,
} from '../../src/containers/index.js';
import { isMsaVerifyError } from '../../src/core/errors.js';
import { runCli } from '../support/cli.js';
import { waitFor } from '../support/net.js';
import { ROOT } from '../support/services.js';

const noDocker = process.env.MSAV_NO_DOCKER;

function ours(): Promise<ListedContainer[]> {
  return listContainers(engineAddress(), [`${LABEL_MANAGED}=true`]);
}

afterAll(async () => {
  if (noDocker) return;
  expect(await listContainers(engineAddress(), [])).toEqual([]);
});

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(noDocker)('container route: refusals leave nothing behind', () => {
  it('names a missing image and what builds it (exit 3), creating nothing', async () => {
    const error = await rejection(startToxiproxyContainer({ image: 'msa-verify/toxiproxy:0.0.0-missing' }));
    expect(isMsaVerifyError(error) && error.exitCode).toBe(3);
    expect(error.message).toContain('image msa-verify/toxiproxy:0.0.0-missing is not on the engine');
    expect(error.message).toContain('scripts/services up docker');
    expect(await ours()).toEqual([]);
  });

  it('says when no engine answers (exit 3)', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    try {
      const error = await rejection(startToxiproxyContainer());
      expect(isMsaVerifyError(error) && error.exitCode).toBe(3);
      expect(error.message).toContain('no Docker engine answers (no socket at /nonexistent/docker.sock)');
    } finally {
      process.env.DOCKER_HOST = saved;
    }
  });

  it('removes a container that exits before it is ready, and says so', async () => {
    const error = await rejection(
      startContainer({
        image: TOXIPROXY_IMAGE,
        role: 'toxiproxy',
        command: ['-no-such-flag'],
        ready: async () => false,
        startTimeoutMs: 10_000,
      }),
    );
    expect(isMsaVerifyError(error) && error.exitCode).toBe(3);
    expect(error.message).toMatch(
      /toxiproxy container \(msa-verify\/toxiproxy:2\.12\.0\) did not start: .*exited with code/,
    );
    expect(await ours()).toEqual([]);
  });

  it('removes a container that never becomes ready within its time', async () => {
    const error = await rejection(
      startContainer({
        image: TOXIPROXY_IMAGE,
        role: 'toxiproxy',
        command: ['-host', '127.0.0.1', '-port', '0'],
        ready: async () => false,
        startTimeoutMs: 1500,
      }),
    );
    expect(error.message).toContain('not ready within 1500ms');
    expect(await ours()).toEqual([]);
  });
});

describe.skipIf(noDocker)('container route: cleanup when the owner cannot do it', () => {
  it('the reaper removes the containers of a process killed with SIGKILL', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'msav-reaper-'));
    const script = path.join(work, 'owner.mjs');
    await writeFile(
      script,
      `import { startToxiproxyContainer } from ${JSON.stringify(path.join(ROOT, 'dist/containers/index.js'))};
const c = await startToxiproxyContainer();
console.log('ready', c.id);
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await waitFor(() => out.includes('ready'), 30_000);
    const id = /ready (\w+)/.exec(out)?.[1] ?? '';
    expect((await ours()).map((c) => c.id)).toEqual([id]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitFor(async () => (await ours()).length === 0, 10_000).catch(() => {
      throw new Error(`container ${id} still there 10 s after its owner was killed`);
    });
  });

  it('chaos reset removes containers of ended processes and keeps those of live ones (unless --all)', async () => {
    const live = await startToxiproxyContainer();
    try {
      // A leftover as a crash that also took its reaper would leave it: labelled, owner gone.
      const created = await createLabelled({
        [LABEL_MANAGED]: 'true',
        [LABEL_PID]: '2147483646',
        [LABEL_ROLE]: 'toxiproxy',
      });
      const result = await chaosReset({ cwd: await mkdtemp(path.join(os.tmpdir(), 'msav-reset-')) });
      expect(result.containers).toEqual([
        { id: created, image: TOXIPROXY_IMAGE, role: 'toxiproxy', pid: 2147483646, removed: true },
      ]);
      expect(result.ok).toBe(true);
      expect((await ours()).map((c) => c.id)).toEqual([live.id]);
      // --all: a live process's container too (its Toxiproxy is the one --all cleans).
      const all = await chaosReset({
        cwd: await mkdtemp(path.join(os.tmpdir(), 'msav-reset-')),
        all: true,
        url: live.url,
      });
      expect(all.containers.map((c) => [c.id, c.pid, c.removed])).toEqual([[live.id, process.pid, true]]);
      expect(await ours()).toEqual([]);
    } finally {
      await live.stop();
    }
    expect(await ours()).toEqual([]);
  });
});

describe.skipIf(noDocker)('chaos reset (the CLI)', () => {
  it('names each leftover container it removed, then has nothing to reset', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'msav-reset-cli-'));
    const id = await createLabelled({ [LABEL_MANAGED]: 'true', [LABEL_PID]: '2147483646', [LABEL_ROLE]: 'jaeger' });
    const first = await runCli(['chaos', 'reset'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`removed container ${id.slice(0, 12)} (jaeger, ${TOXIPROXY_IMAGE})`);
    const again = await runCli(['chaos', 'reset'], { cwd });
    expect(again.stdout).toContain('nothing to reset');
    expect(await ours()).toEqual([]);
  });
});

describe.skipIf(noDocker)('Jaeger as a container', () => {
  it('stores a span sent to its OTLP receiver and shows it on its query API, then is removed', async () => {
    await using jaeger = await startJaegerContainer();
    expect(jaeger.image).toBe(JAEGER_IMAGE);
    const traceId = '5b8efff798038103d269b633813fc60c';
    const now = BigInt(Date.now()) * 1_000_000n;
    const res = await fetch(jaeger.otlpTracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'container-check' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: 'eee19b7ec3c1b174',
                    name: 'GET /checked',
                    kind: 2,
                    startTimeUnixNano: String(now - 5_000_000n),
                    endTimeUnixNano: String(now),
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const trace = (await (await fetch(`${jaeger.url}/api/traces/${traceId}`)).json()) as {
        data?: { spans: { operationName: string }[] }[];
      };
      return trace.data?.[0]?.spans[0]?.operationName === 'GET /checked';
    }, 10_000);
    const id = jaeger.id;
    await jaeger.stop();
    expect((await ours()).map((c) => c.id)).not.toContain(id);
  });
});

describe.skipIf(noDocker)('doctor', () => {
  it('reports the engine with its version and both images', async () => {
    const result = await doctor({ cwd: await mkdtemp(path.join(os.tmpdir(), 'msav-doctor-')) });
    const engine = result.components.find((c) => c.name === 'Docker engine (containers)');
    expect(engine).toMatchObject({ ok: true, needed: false });
    expect(engine?.detail).toMatch(/^Docker \d+\.\d+\.\d+\S* \(API \d+\.\d+\) at unix:\/\//);
    const images = result.components.find((c) => c.name === 'msa-verify images');
    expect(images).toMatchObject({ ok: true, detail: `${TOXIPROXY_IMAGE}, ${JAEGER_IMAGE}` });
  });

  it('says that no engine answers', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'msav-doctor-'));
    const down = await doctor({ cwd, env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(down.components.find((c) => c.name === 'Docker engine (containers)')).toMatchObject({
      ok: false,
      detail: 'no socket at /nonexistent/docker.sock',
    });
  });

  it('says which image is missing and what builds it', async () => {
    // Untag the Jaeger image for a moment (its layers stay under a spare tag), then put the tag back.
    const spare = 'msa-verify/jaeger:doctor-test';
    docker('tag', JAEGER_IMAGE, spare);
    docker('rmi', JAEGER_IMAGE);
    try {
      const result = await doctor({ cwd: await mkdtemp(path.join(os.tmpdir(), 'msav-doctor-')) });
      expect(result.components.find((c) => c.name === 'msa-verify images')).toMatchObject({
        ok: false,
        detail: `missing ${JAEGER_IMAGE}: scripts/services up docker builds it (FROM scratch, from the binaries of scripts/setup)`,
      });
    } finally {
      docker('tag', spare, JAEGER_IMAGE);
      docker('rmi', spare);
    }
  });
});

function docker(...args: string[]): void {
  execFileSync('docker', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Creates (does not start) a container of the Toxiproxy image with these labels; returns its id. */
async function createLabelled(labels: Record<string, string>): Promise<string> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const container = await client.container.create({
    Image: TOXIPROXY_IMAGE,
    Labels: labels,
    HostConfig: { NetworkMode: 'host' },
  });
  return container.id;
}
