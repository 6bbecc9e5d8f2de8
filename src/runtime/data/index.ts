// The data layer's public surface (see docs/data.md). Importing this never loads
// sharp or tfjs: image decoding is imported lazily by the folder reader.

export { DataError } from "../../formats/data-error.js";
export { NpzReader, type NpzOpenOptions, type ValueRange } from "./npz.js";
export { inspectNpz, type NpzInfo, type Layout } from "../../formats/npz-header.js";
export { NpzImageWriter, type NpzImageWriterOptions } from "./npz-writer.js";
export { CifarReader, type CifarName, type Split } from "./cifar.js";
export { fetchCifar, CIFAR_ARCHIVES, type FetchOptions } from "./fetch.js";
export { MnistReader } from "./mnist.js";
export { convertFolderToNpz, listImages, type ConvertOptions, type ConvertResult } from "./folder.js";
export { openSource, swapRedBlue, type ImageSource, type ImageBatch, type OpenSourceOptions } from "./source.js";
export {
  InflationSampler,
  mixtureQuantities,
  SAMPLER_STREAM_BASE,
  type MixtureEntry,
  type MixtureQuantities,
  type SampledBatch,
  type SamplerState,
} from "./sampler.js";
export { MixtureLoader, mixtureEntries, type MixtureBatch } from "./loader.js";
export { checkPipelineData, type DataCheckOptions } from "./check.js";
export { dataInfo, detectFormat, infoJson, type DataInfo, type DataInfoDetails } from "./info.js";
export { channelStats, type ChannelStats } from "./stats.js";
export { defaultCacheDir } from "./cache.js";
