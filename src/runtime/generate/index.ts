// The built-in generator's public surface (see docs/generate.md): PCA + Gaussian
// mixture, a weak stand-in for a diffusion model so inflation experiments run offline.

export { GenerateError, type GenerateErrorKind } from "./errors.js";
export {
  generateSet,
  GENERATE_DEFAULTS,
  WEAK_STAND_IN_NOTE,
  type GenerateOptions,
  type GenerateReport,
  type GenerateResult,
} from "./generate.js";
export { fitPca, project, reconstruct, explainedVarianceRatio, type Matrix, type Pca, type PcaFit, type PcaOptions } from "./pca.js";
export { multiplyABt, accumulateAtB, combineRows } from "./kernels.js";
export { fitGmm, meanLogLikelihood, predict, sampleInto, type CovarianceType, type Gmm, type GmmFit, type GmmOptions } from "./gmm.js";
export { kmeans, kmeansPlusPlus, type KMeansResult } from "./kmeans.js";
export { frechetDistance, GaussianStats, meanNearestDistance } from "./quality.js";
export { makeStandIn, type MakeStandInOptions } from "./stand-in.js";
export { openFitSource, parseSourceSpec, readFitMatrix, type FitSource, type SourceSpec, type SplitChoice } from "./source.js";
