// msa-verify/contracts: a thin typed layer over pact-js (V4).
//   consumer tests: httpContract / messageContract (+ correlation option) -> passed interactions
//   kept in memory -> one pact file write per contract (write(), after each test file, at exit)
//   provider side: verifyProvider (HTTP at a URL, message producers in code,
//   rabbitMessageProducer / kafkaMessageProducer for the transport-level check) -> ContractPairResult[]
//   gRPC: grpcContract -> <consumer>-<provider>.grpc.json; verifyGrpcProvider (buf
//   breaking against the consumer's .proto copy, then real calls judged with Pact's rules)
//   runVerification: config-driven, every provider; provider states, hooks and
//   request headers answered by msa-verify (state-dispatch.ts: nothing passes
//   silently); broker: Pact's own CLI.

export { DEFAULT_CORRELATION_HEADER } from '../core/correlation-id.js';
export {
  type BrokerCommandResult,
  type BrokerConnection,
  type CanIDeployOptions,
  type CanIDeployResult,
  canIDeploy,
  type PublishOptions,
  type PublishResult,
  pactCliBinary,
  publishPacts,
  runBrokerCommand,
} from './broker/pact-cli.js';
export {
  CORRELATION_ID_PATTERN,
  type Correlation,
  type CorrelationOption,
  correlationExample,
  correlationMatchers,
  EXAMPLE_CORRELATION_ID,
  EXAMPLE_TRACEPARENT,
  resolveCorrelation,
  TRACEPARENT_PATTERN,
} from './correlation.js';
export {
  type GrpcContract,
  type GrpcContractOptions,
  type GrpcInteractionSpec,
  type GrpcStatusName,
  type GrpcTestContext,
  grpcContract,
} from './grpc/consumer.js';
export {
  GRPC_CONTRACT_SUFFIX,
  type GrpcContractFile,
  type GrpcContractInfo,
  type GrpcInteraction,
  readGrpcContract,
  readGrpcContracts,
} from './grpc/contract-file.js';
export { extractRules, type MatcherRule, matchValue, type RuleSet, type ValueMismatch } from './grpc/matching.js';
export { type VerifyGrpcOptions, verifyGrpcProvider, WIRE_CHECK } from './grpc/verify.js';
export { BREAKING_RULES, checkWire, type WireFinding } from './grpc/wire.js';
export {
  type HttpContract,
  type HttpContractOptions,
  type HttpInteractionSpec,
  type HttpRequestSpec,
  type HttpResponseSpec,
  type HttpTestContext,
  httpContract,
} from './http/consumer.js';
export { Matchers } from './matchers.js';
export {
  type MessageContract,
  type MessageContractOptions,
  type MessageSpec,
  messageContract,
  type ReceivedMessage,
} from './message/consumer.js';
export {
  checkPactText,
  checkProvidersKnown,
  type PactCheck,
  type PactFileInfo,
  readPactDir,
  readPactFile,
} from './pact-files.js';
export { type PendingPact, writePendingPacts } from './pending-pacts.js';
export {
  type ArrivedKafkaMessage,
  captureKafkaMessage,
  type KafkaCaptureOptions,
  kafkaMessageProducer,
} from './transport/kafka.js';
export {
  type ArrivedMessage,
  captureRabbitMessage,
  type RabbitCaptureOptions,
  rabbitMessageProducer,
  type TriggerContext,
} from './transport/rabbitmq.js';
export type {
  FilteredRequest,
  JsonValue,
  MessageProducer,
  ProducedMessage,
  ProducerContext,
  ProviderAnswer,
  ProviderHook,
  ProviderModule,
  ProviderRequest,
  ProviderStateSpec,
  RequestFilter,
  StateHandler,
  StateHandlers,
  StateParams,
} from './types.js';
export { type InChildOptions, runVerificationInChild } from './verify/in-child.js';
export { loadProviderModule } from './verify/provider-module.js';
export { type PactVerifierReport, toMismatch, toMismatches, toPairResults } from './verify/results.js';
export { type RunVerificationOptions, runVerification } from './verify/run-verification.js';
export { type StartCommandOptions, type StartedProvider, startProviderCommand } from './verify/start-command.js';
export {
  type BrokerSource,
  type PactLogLevel,
  type VerifyProviderOptions,
  verifyProvider,
} from './verify/verify-provider.js';
