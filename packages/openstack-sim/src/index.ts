/**
 * A stateful OpenStack API simulator (Keystone v3, Nova, Cinder v3, Neutron, Glance v2, Placement).
 *
 * @packageDocumentation
 */
export { startSimulator } from './simulator';
export type { Simulator, SimulatorOptions } from './simulator';
export { FaultRegistry } from './faults';
export type { Fault, FaultSpec, RequestLogEntry } from './faults';
export {
  SCENARIOS,
  generateScenario,
  ADMIN_PASSWORD,
  USER_PASSWORD,
} from './scenario';
export type { ScenarioName, ScenarioSize } from './scenario';
export { SimState } from './state';
export { Prng } from './prng';
