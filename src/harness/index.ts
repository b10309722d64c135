// The QA harness: generated packages and named corruptions of valid ones.

export { type CorruptedPackage, corruptPackage } from './corrupt-package.js';
export {
  type GeneratedPackage,
  type GenerateOptions,
  generatePackage,
  MAX_OBJECTS,
  MIN_OBJECTS,
} from './generate-package.js';
export { listScenarios, SCENARIO_NAMES, type ScenarioInfo, type ScenarioName } from './scenarios.js';
