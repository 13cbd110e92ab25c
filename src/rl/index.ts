/** The learning side of CACTO: tfjs set-up, input normalisation, networks and optimisers, replay buffer. */
export { initTf, type TfBackend } from "./backend.js";
export { normaliseStates, invNorm, chainFactor, gradToState, inputSize, type NormSpec } from "./normalise.js";
export {
  ActorCritic, Actor, Critic, Adam, Network, softUpdate, slog, createActorCritic,
  type ActorCriticOptions, type ActorCriticConfig, type ActorCriticData, type CriticStepOptions,
  type ActorConfig, type CriticConfig, type AdamConfig, type AdamData, type TensorData, type Dense,
} from "./networks.js";
export { ReplayBuffer, tdTargets, type ReplayBatch, type ReplayBufferData, type NStep } from "./buffer.js";
