// Data sources: a call to a dataset preset (`cifar10("datasets/cifar10", split = test)`,
// declared in stdlib/datasets.adainf) or to a builtin format (`npz(...)`, `folder(...)`).
import type { DataSourceIR } from "../ir/types.js";
import { npzHeaderAt } from "../formats/npz-header.js";
import { DataError } from "../formats/data-error.js";
import { didYouMean } from "../check/suggest.js";
import { collectSettings, interpretCall, interpretSettings, type Override } from "./calls.js";
import { ptr, type ResolveContext } from "./context.js";
import type { StmtEntry } from "./merge.js";
import type { Program } from "./program.js";
import { DATASET_CALL, DATASET_FIELDS, SOURCE_FORMATS } from "../ir/builtins.js";
import { byName } from "../ir/define.js";
import { recordSpans } from "./entries.js";
import { diag } from "../check/registry.js";

export function resolveSource(e: StmtEntry, index: number, program: Program, ctx: ResolveContext): DataSourceIR | null {
  const v = e.stmt.value!;
  const base = ptr("/data/sources", index);
  ctx.at(base, e.stmt.span);
  ctx.at(ptr(base, "name"), e.key.span);
  if (v.kind !== "call" || v.callee.parts.length !== 1) {
    ctx.report(diag.E020.dataSourceCall(), v.span);
    return null;
  }
  const overrides: Override[] = [
    ...(v.with?.statements ?? []).flatMap((s) => (s.value ? [{ path: s.key.parts, expr: s.value, span: s.span }] : [])),
    ...e.overrides,
  ];
  const callee = v.callee.parts[0]!;
  const format = byName(SOURCE_FORMATS, callee.text);
  if (format) {
    const r = interpretCall(format, v.args, overrides, ctx, v.span);
    if (!r) return null;
    recordSpans(ctx, base, r.spans);
    // npz's own fields; a folder has none of them (nor a channel order other than rgb).
    const x = { channelOrder: null, layout: "nhwc" as const, standIn: false, ...r.values };
    const origin = x.origin;
    if (x.standIn && origin !== "generated") {
      ctx.report(diag.E021.standInNotGenerated({ name: e.key.text, origin }), r.spans["standIn"] ?? v.span);
      return null;
    }
    // An npz that is already on disk tells its size and shape from its headers
    // (no pixels read), so epoch-based settings and lint work without `size =`; a
    // declared size is checked against them (a smaller one selects the first images),
    // and so is a declared shape (which must be the file's, as read with its `layout`).
    if (format === SOURCE_FORMATS.npz) {
      try {
        const info = npzHeaderAt(program.cwd, x.path, { layout: x.layout });
        if (info) {
          if (x.size !== null && x.size > info.count) {
            const m = diag.E021.sizeOverData({ name: e.key.text, path: x.path, full: fmtInt(info.count), size: fmtInt(x.size) });
            ctx.report(m, r.spans["size"] ?? v.span);
            return null;
          }
          if (x.shape !== null && x.shape.join("x") !== info.shape.join("x")) {
            const shapes = {
              name: e.key.text,
              path: x.path,
              found: info.shape.join("x"),
              declared: `(${x.shape.join(", ")})`,
              array: `(${info.arrayShape.join(", ")})`,
            };
            const tuple = `(${info.shape.join(", ")})`;
            const m =
              x.layout === "nchw"
                ? diag.E021.shapeOverDataNchw(shapes)
                : [1, 3, 4].includes(info.shape[2])
                  ? diag.E021.shapeOverData({ ...shapes, tuple })
                  : diag.E021.shapeOverDataMaybeNchw({ ...shapes, tuple });
            ctx.report(m, r.spans["shape"] ?? v.span);
            return null;
          }
          x.size ??= info.count;
          x.shape ??= [...info.shape];
        }
      } catch (err) {
        // A file whose headers describe no usable data set is the user's: say so at its
        // path, declared size and shape or not (it is what run reads). Anything else is
        // left to `adainfc data check`, which reads it for real.
        if (err instanceof DataError) {
          ctx.report(diag.E032.npzUnusable({ path: x.path, problem: err.what }), r.spans["path"] ?? v.span);
          return null;
        }
      }
    }
    // 0 = not declared: filled from the training set's real data by the caller.
    const [h = 0, w = 0, c = 0] = x.shape ?? [];
    return {
      name: e.key.text,
      format: format === SOURCE_FORMATS.npz ? "npz" : "folder",
      path: x.path,
      split: null,
      origin,
      size: x.size,
      shape: [h, w, c],
      classes: origin === "generated" ? null : x.classes,
      layout: x.layout,
      channelOrder: x.channelOrder ?? (format === SOURCE_FORMATS.folder ? "rgb" : null),
      fid: x.fid,
      standIn: x.standIn,
      mean: x.mean ?? [],
      std: x.std ?? [],
    };
  }

  const ref = program.lookup(e.file, "dataset", callee.text);
  if (!ref) {
    const known = [...program.visibleNames(e.file, "dataset"), ...Object.keys(SOURCE_FORMATS)];
    ctx.report(diag.E010.unknownName({ what: "data source", name: callee.text }), callee.span, didYouMean(callee.text, known) || `known: ${known.join(", ")}`);
    return null;
  }
  // The preset's own fields, checked in its file.
  const body = ref.decl.body;
  if (!body) {
    ctx.report(diag.E020.datasetNeedsBody({ name: callee.text }), ref.decl.span);
    return null;
  }
  const fieldArgs = {
    items: body.statements.filter((s) => s.value).map((s) => ({ name: s.key.parts[0]!, value: s.value!, span: s.span })),
    span: body.span,
  };
  const fieldSettings = collectSettings(DATASET_FIELDS, fieldArgs, [], ctx, `dataset '${callee.text}'`);
  const fields = fieldSettings && interpretSettings(DATASET_FIELDS, fieldSettings, ctx, `dataset '${callee.text}'`, ref.decl.name.span);
  const call = interpretCall({ ...DATASET_CALL, name: callee.text }, v.args, overrides, ctx, v.span);
  if (!fields || !call) return null;
  recordSpans(ctx, base, call.spans);

  const f = fields.values;
  const split = call.values.split;
  const full = split === "train" ? f.trainSize : f.testSize;
  const wanted = call.values.size;
  if (wanted !== null && wanted > full) {
    ctx.report(diag.E021.sizeTooLarge({ source: callee.text, split, full, size: wanted }), call.spans["size"] ?? v.span);
    return null;
  }
  const fmt = f.format;
  const path = call.values.path ?? f.path;
  if (path === null && fmt !== "mnist") {
    ctx.report(diag.E022.needsFolder({ source: callee.text }), v.span);
    return null;
  }
  const { shape, mean, std } = f;
  const [h = 0, w = 0, c = 0] = shape;
  if (mean.length !== c || std.length !== c) {
    ctx.report(diag.E021.statsPerChannel({ name: callee.text, channels: c }), fields.spans[mean.length !== c ? "mean" : "std"] ?? ref.decl.name.span);
    return null;
  }
  return {
    name: e.key.text,
    format: fmt,
    path: fmt === "mnist" ? null : path,
    split,
    origin: "real",
    size: wanted ?? full,
    shape: [h, w, c],
    classes: f.classes,
    layout: "nhwc",
    channelOrder: "rgb",
    fid: null,
    standIn: false,
    mean,
    std,
  };
}

const fmtInt = (n: number): string => n.toLocaleString("en-US");
