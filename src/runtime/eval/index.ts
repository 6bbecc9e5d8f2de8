// Evaluation of an encoder: online linear classifier (during training), weighted kNN and
// the offline linear probe (on extracted features).
export { OnlineLinearClassifier, ONLINE_LINEAR_MOMENTUM, type ClassifierMetrics } from "./online-linear.js";
export { weightedKnn, nearestNeighbours, knnBlocks, KNN_EPSILON, type KnnOptions, type KnnResult, type KnnBlocks, type KnnDistance } from "./knn.js";
export { trainLinearProbe, type LinearProbeOptions, type LinearProbeResult } from "./linear-probe.js";
export { extractFeatures, type EncoderForward, type ExtractOptions, type LabelledBatch } from "./features.js";
export { maskedCrossEntropy } from "./cross-entropy.js";
export { classCount, labelledOnly, type FeatureSet } from "./feature-set.js";
