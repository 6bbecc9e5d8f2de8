// Features of a labelled set, held in plain memory (row-major [count, dim]) so that
// evaluation can batch them as it likes. Label -1 marks an unlabelled (generated) sample.
export interface FeatureSet {
  features: Float32Array;
  labels: Int32Array;
  dim: number;
}

export function featureCount(set: FeatureSet): number {
  return set.labels.length;
}

export function checkFeatureSet(set: FeatureSet, what: string): void {
  if (set.features.length !== set.labels.length * set.dim) {
    throw new Error(`${what}: ${set.features.length} feature values do not make ${set.labels.length} rows of ${set.dim}`);
  }
}

/** The rows whose label is not -1 (the reference skips generated samples). */
export function labelledOnly(set: FeatureSet): FeatureSet {
  let n = 0;
  for (const l of set.labels) if (l >= 0) n++;
  if (n === set.labels.length) return set;
  const features = new Float32Array(n * set.dim);
  const labels = new Int32Array(n);
  let j = 0;
  set.labels.forEach((l, i) => {
    if (l < 0) return;
    features.set(set.features.subarray(i * set.dim, (i + 1) * set.dim), j * set.dim);
    labels[j++] = l;
  });
  return { features, labels, dim: set.dim };
}

/** Number of classes implied by the labels (max label + 1). */
export function classCount(...sets: FeatureSet[]): number {
  let max = -1;
  for (const s of sets) for (const l of s.labels) if (l > max) max = l;
  return max + 1;
}
