// Containers msa-verify starts itself (the testcontainers route), on the host network.
//   startToxiproxyContainer / startJaegerContainer -> startContainer:
//     engine answers? image there? -> reaper session (detached host process) ->
//     testcontainers GenericContainer (host network, labels, never pull) -> ready probe
//   stop(): stop + remove; the owner dying any other way: its reaper removes the containers;
//   leftovers of any kind: removeLeftoverContainers (chaos reset), by label.
export {
  containerExists,
  type EngineAddress,
  type EngineProbe,
  engineAddress,
  imageExists,
  type ListedContainer,
  listContainers,
  probeEngine,
  removeContainer,
} from './engine.js';
export {
  JAEGER_IMAGE,
  KNOWN_IMAGES,
  LABEL_MANAGED,
  LABEL_PID,
  LABEL_ROLE,
  LABEL_SESSION,
  TOXIPROXY_IMAGE,
} from './images.js';
export { type JaegerContainer, type JaegerContainerOptions, startJaegerContainer } from './jaeger.js';
export { type LeftoverContainer, removeLeftoverContainers } from './leftovers.js';
export { type ManagedContainer, type StartContainerOptions, startContainer } from './start.js';
export { startToxiproxyContainer, type ToxiproxyContainer, type ToxiproxyContainerOptions } from './toxiproxy.js';
