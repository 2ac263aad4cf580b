// The images msa-verify runs. They are built locally, FROM scratch, from the static
// binaries scripts/setup builds (scripts/docker.sh; no registry is needed), and
// tagged with the versions pinned there: a unit test keeps these tags and the
// scripts' pins equal.

/** Toxiproxy server image (entrypoint `/toxiproxy`). */
export const TOXIPROXY_IMAGE = 'msa-verify/toxiproxy:2.12.0';

/** Jaeger v2 image (entrypoint `/jaeger`, in-memory storage). */
export const JAEGER_IMAGE = 'msa-verify/jaeger:1.76.0';

/** Every image msa-verify can start, for `doctor`. */
export const KNOWN_IMAGES: readonly string[] = [TOXIPROXY_IMAGE, JAEGER_IMAGE];

/** What builds a missing image. */
export const BUILD_HINT = 'scripts/services up docker builds it (FROM scratch, from the binaries of scripts/setup)';

/** Label on every container msa-verify starts; `chaos reset` removes leftovers by it. */
export const LABEL_MANAGED = 'msa-verify.managed';
/** Label: process id of the msa-verify process that started the container. */
export const LABEL_PID = 'msa-verify.pid';
/** Label: the starting process's reaper session; the reaper removes its session's containers. */
export const LABEL_SESSION = 'msa-verify.session';
/** Label: what the container is for (e.g. `toxiproxy`, `jaeger`). */
export const LABEL_ROLE = 'msa-verify.role';
