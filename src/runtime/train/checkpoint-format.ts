// The checkpoint file format: one self-describing binary file per checkpoint.
//
//   offset 0   8 bytes   magic "ADAINFCK"
//          8   u32 LE    format version (1)
//         12   u32 LE    header length H in bytes
//         16   H bytes   header: UTF-8 JSON (CheckpointHeader)
//   16 + H     0-3 bytes zero padding, so the data starts on a 4-byte boundary
//   data       float32 little-endian values of every tensor, back to back, at the
//              element offsets the header lists
//
// The header carries a CRC-32 of the data section, so a truncated or damaged file is
// refused instead of silently loading garbage. JSON + one Float32 blob keeps the file
// readable from any language (numpy: np.frombuffer(buf, '<f4', offset=...)).
import { crc32 } from "../../formats/crc32.js";

export const CHECKPOINT_MAGIC = "ADAINFCK";
export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset of the first value, in float32 elements from the start of the data section. */
  offset: number;
  /** Number of float32 values. */
  length: number;
}

/** Plain values of a training state: tensors by name and scalar counters by name. */
export interface FlatState {
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
  numbers: Record<string, number>;
}

export interface CheckpointMeta {
  /** Optimisation steps completed; a resumed run starts at this step index. */
  step: number;
  totalSteps: number;
  pipeline: string;
  seed: number;
  /** Sampler position of the next batch (also recomputable from `step`). */
  sampler: { epoch: number; position: number };
  /** Backend that wrote it (a checkpoint loads on any backend). */
  backend: string;
  /** ISO time of writing. */
  created: string;
  /** Training seconds so far (for ETA and images/s across resumes). */
  elapsedSeconds: number;
  /** Anything else the trainer wants back (e.g. the untrained encoder's evaluation). */
  extra: Record<string, unknown>;
}

export interface CheckpointHeader extends CheckpointMeta {
  format: "adainf-checkpoint";
  version: number;
  numbers: Record<string, number>;
  tensors: TensorEntry[];
  /** Float32 values in the data section. */
  dataLength: number;
  dataCrc32: number;
}

export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointFormatError";
  }
}

/** Serialises a state into the bytes of one checkpoint file. */
export function encodeCheckpoint(meta: CheckpointMeta, state: FlatState): Uint8Array {
  const tensors: TensorEntry[] = [];
  let total = 0;
  for (const [name, t] of state.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) throw new Error(`checkpoint: tensor ${name} has ${t.values.length} values for shape [${t.shape.join(", ")}]`);
    tensors.push({ name, shape: [...t.shape], offset: total, length: size });
    total += size;
  }
  const data = new Float32Array(total);
  for (const e of tensors) data.set(state.tensors.get(e.name)!.values, e.offset);
  const dataBytes = littleEndianBytes(data);
  const header: CheckpointHeader = {
    format: "adainf-checkpoint",
    version: CHECKPOINT_VERSION,
    ...meta,
    numbers: state.numbers,
    tensors,
    dataLength: total,
    dataCrc32: crc32(dataBytes),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(16 + headerBytes.length);
  const out = new Uint8Array(dataStart + dataBytes.length);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  out.set(dataBytes, dataStart);
  return out;
}

/** Parses and verifies checkpoint bytes. Throws CheckpointFormatError on any damage. */
export function decodeCheckpoint(bytes: Uint8Array): { header: CheckpointHeader; state: FlatState } {
  if (bytes.length < 16) throw new CheckpointFormatError(`file too short (${bytes.length} bytes)`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC) throw new CheckpointFormatError("not an adainf checkpoint (bad magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) throw new CheckpointFormatError(`unsupported checkpoint version ${version}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) throw new CheckpointFormatError("truncated header");
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as CheckpointHeader;
  } catch {
    throw new CheckpointFormatError("header is not valid JSON");
  }
  if (header.format !== "adainf-checkpoint" || !Array.isArray(header.tensors)) {
    throw new CheckpointFormatError("header is not an adainf checkpoint header");
  }
  const dataStart = align4(16 + headerLength);
  const dataBytes = bytes.subarray(dataStart);
  if (dataBytes.length !== header.dataLength * 4) {
    throw new CheckpointFormatError(`data section holds ${dataBytes.length} bytes, expected ${header.dataLength * 4} (truncated?)`);
  }
  if (crc32(dataBytes) !== header.dataCrc32) throw new CheckpointFormatError("data checksum mismatch (damaged file)");
  const data = fromLittleEndian(dataBytes);
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of header.tensors) {
    if (e.offset < 0 || e.offset + e.length > data.length) throw new CheckpointFormatError(`tensor ${e.name} lies outside the data`);
    tensors.set(e.name, { shape: e.shape, values: data.slice(e.offset, e.offset + e.length) });
  }
  return { header, state: { tensors, numbers: header.numbers } };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function fromLittleEndian(bytes: Uint8Array): Float32Array {
  const n = bytes.length / 4;
  if (LITTLE_ENDIAN) {
    // Copy: the file's buffer need not be 4-byte aligned.
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Float32Array(copy.buffer, 0, n);
  }
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
