// The container route's offline parts: the image tags follow the versions the
// scripts pin (a drift makes every container start fail with "image missing"),
// and a scenario asks for a containerised Toxiproxy with `managed: container`
// (an `image` only there; `binary` only for the local binary), located problems otherwise.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectationRegistry } from '../../src/chaos/expectations/registry.js';
import { describePlan, planRun } from '../../src/chaos/runner/plan.js';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import { engineAddress } from '../../src/containers/engine.js';
import { JAEGER_IMAGE, TOXIPROXY_IMAGE } from '../../src/containers/images.js';
import { startToxiproxyContainer } from '../../src/containers/toxiproxy.js';
import { isMsaVerifyError } from '../../src/core/errors.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('container images', () => {
  it('are tagged with the versions scripts/lib.sh and scripts/jaeger/go.mod pin', async () => {
    const lib = await readFile(path.join(root, 'scripts/lib.sh'), 'utf8');
    const toxiproxy = /TOXIPROXY_VERSION=\$\{TOXIPROXY_VERSION:-v([0-9.]+)\}/.exec(lib)?.[1];
    const gomod = await readFile(path.join(root, 'scripts/jaeger/go.mod'), 'utf8');
    const jaeger = /github\.com\/jaegertracing\/jaeger v([0-9.]+)/.exec(gomod)?.[1];
    expect(TOXIPROXY_IMAGE).toBe(`msa-verify/toxiproxy:${toxiproxy}`);
    expect(JAEGER_IMAGE).toBe(`msa-verify/jaeger:${jaeger}`);
  });
});

describe('engine address', () => {
  it('reads DOCKER_HOST (unix or tcp) and defaults to /var/run/docker.sock', () => {
    expect(engineAddress({})).toEqual({ host: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' });
    expect(engineAddress({ DOCKER_HOST: 'unix:///tmp/x/docker.sock' }).socketPath).toBe('/tmp/x/docker.sock');
    expect(engineAddress({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toMatchObject({ hostname: '127.0.0.1', port: 2375 });
  });
});

function scenario(toxiproxy: string) {
  return `version: 1
name: containers
toxiproxy: ${toxiproxy}
proxies:
  - { name: front, listen: "127.0.0.1:26001", upstream: "127.0.0.1:26002" }
load:
  target: http://127.0.0.1:26001
  rate: 5
  requests: [{ method: GET, path: / }]
phases:
  - { name: warm, kind: steady, duration: 1s }
`;
}

function parse(toxiproxy: string) {
  return parseScenarioText('containers.yaml', scenario(toxiproxy), expectationRegistry, {});
}

describe('scenario: toxiproxy managed: container', () => {
  it('plans a private container (default image, or the one given) and no Toxiproxy URL', () => {
    for (const [text, image] of [
      ['{ managed: container }', TOXIPROXY_IMAGE],
      ['{ managed: container, image: "my/toxiproxy:1" }', 'my/toxiproxy:1'],
    ] as const) {
      const r = parse(text);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      const plan = planRun(
        { scenario: r.value, file: 'containers.yaml', display: 'containers.yaml' },
        { allowTargets: ['127.0.0.1:*'], maxDurationMs: 60_000 },
        'http://127.0.0.1:8474',
      );
      expect(plan.toxiproxy.url).toBeUndefined();
      expect(plan.toxiproxy.managed).toBe(true);
      expect(describePlan(plan)[1]).toBe(`  toxiproxy: managed (private container, ${image}, needs a Docker engine)`);
    }
  });

  it('rejects image without container, binary with container, and an unknown managed value, at their lines', () => {
    const cases: [string, string, string][] = [
      ['{ managed: true, image: "x/y:1" }', 'toxiproxy.image', 'image needs managed: container'],
      ['{ managed: container, binary: ./t }', 'toxiproxy.binary', 'binary needs managed: true (or binary)'],
      ['{ url: "http://127.0.0.1:8474", managed: container }', 'toxiproxy', 'exactly one'],
      ['{ managed: docker }', 'toxiproxy.managed', 'expected true, false, binary or container'],
    ];
    for (const [text, at, message] of cases) {
      const r = parse(text);
      if (r.ok) throw new Error(`accepted ${text}`);
      const problem = r.problems.find((p) => p.path === at);
      expect(problem, `${text}: ${JSON.stringify(r.problems)}`).toBeDefined();
      expect(problem?.line).toBe(3);
      expect(problem?.message).toContain(message);
    }
  });
});

describe('scenario: traces.jaeger.container', () => {
  function withTraces(jaeger: string) {
    return parseScenarioText(
      'containers.yaml',
      scenario('{ managed: container }').replace('proxies:', `traces:\n  jaeger: ${jaeger}\nproxies:`),
      expectationRegistry,
      {},
    );
  }

  it('takes an OTLP port instead of a url, and checks it as a listen address', () => {
    const r = withTraces('{ container: { otlpPort: 24318 }, services: [orders] }');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.traces?.jaeger).toEqual({ container: { otlpPort: 24318 }, services: ['orders'] });
    let error: unknown;
    try {
      planRun(
        { scenario: r.value, file: 'containers.yaml', display: 'containers.yaml' },
        { allowTargets: ['127.0.0.1:26001', '127.0.0.1:26002'], maxDurationMs: 60_000 },
      );
    } catch (e) {
      error = e;
    }
    expect(isMsaVerifyError(error) && error.problems.map((p) => p.path)).toEqual(['traces.jaeger.container.otlpPort']);
  });

  it('rejects both url and container, and neither, at the jaeger line', () => {
    for (const text of [
      '{ url: "http://127.0.0.1:16686", container: { otlpPort: 24318 }, services: [orders] }',
      '{ services: [orders] }',
    ]) {
      const r = withTraces(text);
      if (r.ok) throw new Error(`accepted ${text}`);
      expect(r.problems.map((p) => [p.path, p.line, p.message])).toEqual([
        ['traces.jaeger', 5, 'give either url or container (exactly one)'],
      ]);
    }
  });
});

describe('container route: an engine on another machine', () => {
  it('is refused before anything is asked of it (host networking needs this machine)', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://10.255.255.1:2375';
    try {
      await expect(startToxiproxyContainer()).rejects.toThrow(
        'toxiproxy container: DOCKER_HOST=tcp://10.255.255.1:2375 is another machine; the container route needs an engine on this one',
      );
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
