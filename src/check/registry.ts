// The one registry of diagnostics (the compiler's E0xx errors and W0xx warnings, and
// D0xx of `adainfc data check`, which opens the data), as the
// TypeScript compiler's diagnosticMessages.json: for each code its severity, a
// one-line summary and a docs paragraph (the code tables of docs/language.md and
// docs/data.md are generated from them, see ./registry-docs.ts), and the messages reported under
// it, each a template with named arguments ({name}) and an optional default hint.
// Call sites build a diagnostic with `diag.E010.unknownName({ what, name })`: a code,
// a message or an argument that is not here is a compile error. Lint rule ids
// (eval-on-train, ...) are not here: they live in their rule modules (src/lint/rules);
// lint-config, the linter's own code for a `lint { ... }` entry naming no rule, is (LINT_CONFIG).
import type { Span } from "../ir/types.js";
import type { Diagnostic, Severity } from "./diagnostic.js";

interface MessageDef {
  /** The message, with {name} placeholders (a `{` followed by a space is literal text). */
  readonly text: string;
  /** When this message is reported at another severity than its code's (D004's smaller crop is info). */
  readonly severity?: Severity;
  /** The default hint, a template over the same arguments; a call site may pass its own. */
  readonly hint?: string;
}

export interface CodeDef {
  readonly severity: Severity;
  /** One line: what the code means (its row of the table in docs/language.md or docs/data.md). */
  readonly summary: string;
  /** A paragraph for the docs: when it is reported and what to do. */
  readonly docs: string;
  readonly messages: { readonly [name: string]: MessageDef };
}

const SAVE_AS_UTF8 = "pipeline files are UTF-8: save the file as UTF-8 (iconv -f latin1 -t utf-8, or your editor's encoding menu)";

export const REGISTRY = {
  E001: {
    severity: "error",
    summary: "unexpected character",
    docs: "The lexer met a character that starts no token of the language. A string that is not closed on its line also ends up here, at its opening quote.",
    messages: {
      unexpectedCharacter: { text: "unexpected character {char}", hint: "remove it" },
      unterminatedString: { text: "unexpected character {char}", hint: "strings end on the same line with a closing quote" },
      badDigitSeparator: { text: "misplaced '_' in the number {number}", hint: "a digit separator stands alone between two digits: 1_000, 0.000_1" },
    },
  },
  E002: {
    severity: "error",
    summary: "syntax error (the parser recovers and reports every one)",
    docs: "The tokens do not form a statement, block or declaration. The parser recovers and goes on, so every syntax error of a file is reported at once, each at the token where it went wrong. `--set key=value` overrides are parsed the same way and report their mistakes under this code too.",
    messages: {
      expected: { text: "expected {expected} but found {found}" },
      expectedClosingBrace: { text: "expected {expected} but found {found}", hint: "is a block missing its closing brace, or a statement its value?" },
      withStartsStatement: {
        text: "'with' cannot start a statement",
        hint: "'with' follows a value and adds a block to it (`schedule = warmup_cosine() with { ... }`), on the value's line or the next",
      },
      unclosedBrace: { text: "`{opener}` is never closed: the file ends at line {end}", hint: "add the block's closing '}'" },
      unexpected: { text: "unexpected {found}{where}" },
      unexpectedInValue: { text: "unexpected {found}{where}", hint: "a value is a number, a range (0.08..1.0), a string, a name or a call" },
      unexpectedAtTopLevel: {
        text: "unexpected {found}{where}",
        hint: "the top level holds `use` lines and `pipeline`, `recipe`, `augment` or `dataset` declarations",
      },
      afterLastDeclaration: { text: "unexpected {found} after the last declaration", hint: "is there an extra '}'?" },
      setNotKeyValue: { text: "--set {setting}: expected key=value", hint: "e.g. --set train.steps=500" },
      setNoValue: { text: "--set {setting}: no value after '='", hint: "e.g. --set train.steps=500; an empty string is written --set 'key=\"\"'" },
      setNotOneSetting: {
        text: "--set {setting}: {problem}",
        hint: "values are written as in a pipeline file: --set train.steps=500, --set 'augment=symmetric'",
      },
    },
  },
  E003: {
    severity: "error",
    summary: "brackets `(` `[` `{` nested too deep (the message says how deep they may go)",
    docs: "Brackets nest only a few dozen levels deep, which bounds the parser's recursion on hostile input; a real pipeline needs a few levels, so this usually means a closing bracket is missing.",
    messages: {
      tooDeep: { text: "brackets nested more than {max} deep", hint: "a pipeline needs only a few levels; is a closing bracket missing?" },
    },
  },
  E004: {
    severity: "error",
    summary: 'a string escape that is none of `\\"` `\\\\` `\\n` `\\r` `\\t` `\\u{...}`, or a `\\u{...}` that names no character',
    docs: "A backslash in a string starts an escape: `\\\"`, `\\\\`, `\\n`, `\\r`, `\\t` or `\\u{...}`; any other (`\\q`, a Windows path's `\\c`) is an error, so write `\\\\` for a backslash (or use `/` in paths). A `\\u{...}` escape must name a Unicode scalar value: at most 10FFFF, and none of the surrogates D800 to DFFF.",
    messages: {
      unknownEscape: {
        text: "unknown escape {escape} in a string",
        hint: 'the escapes are \\" \\\\ \\n \\r \\t and \\u{...}; write \\\\ for a backslash',
      },
      badEscape: {
        text: "the escape {escape} names no character: it is {why}",
        hint: "a \\u{...} escape takes a Unicode scalar value: 0 to 10FFFF in hex, without the surrogates D800 to DFFF",
      },
    },
  },
  E005: {
    severity: "error",
    summary: "a pipeline file that cannot be read, or is not UTF-8",
    docs: "A pipeline file that was found cannot be read (no permission, or it went away meanwhile), or a pipeline file (given or imported) holds a byte that is not valid UTF-8 (a file saved as Latin-1, say): pipeline files are UTF-8. The error is at the file's first line, or at the bad byte's line and column. `fmt --write` and `lint --fix` never rewrite such a file. A path on the command line that names no file (missing, a dangling link) or a folder without `.adainf` files is not E005: it is refused before anything is compiled, one line and exit 1 (so no SARIF result). A `use` that names a file that cannot be read is E013.",
    messages: {
      unreadable: { text: "{reason}" },
      notUtf8: {
        text: "byte 0x{byte} is not UTF-8",
        hint: SAVE_AS_UTF8,
      },
      notUtf8Sequence: {
        text: "the bytes starting with 0x{byte} are not a complete UTF-8 character",
        hint: SAVE_AS_UTF8,
      },
    },
  },
  E010: {
    severity: "error",
    summary: 'unknown name (preset, recipe, dataset, builtin), with "did you mean"',
    docs: "A name refers to nothing visible from here: a builtin (backbone, method, optimizer, ...), a recipe, an augmentation preset or op, a dataset, a declaration of a `std` module, or the pipeline `--pipeline` asks for. The hint names the closest known name, or lists them.",
    messages: {
      unknownName: { text: "unknown {what} '{name}'" },
      stdHasNoDeclaration: { text: "std.{module} has no declaration '{name}'" },
      noPipeline: { text: "{file} has no pipeline '{name}'", hint: "pipelines: {pipelines}" },
      noPipelineDeclared: { text: "{file} has no pipeline '{name}'", hint: "this file declares no pipeline" },
    },
  },
  E011: {
    severity: "error",
    summary: 'unknown setting or parameter, with "did you mean"',
    docs: "A block has no setting of that name, a builtin no parameter of that name, or a dotted path sets a field of something that has none. The hint names the closest setting, or lists those it takes.",
    messages: {
      noParameter: { text: "{what} has no parameter '{name}'" },
      noFieldsIn: { text: "{what}: '{name}' has no fields to set ('{path}')" },
      noFields: { text: "'{name}' has no fields to set", hint: "write {name} = <value>" },
      noSetting: { text: "{where} has no setting '{name}'" },
      notOnAugmentation: {
        text: "cannot set '{path}' on an augmentation",
        hint: "write strength = s, <op>.<field> = value (every view) or <view>.<op>.<field> = value (one view)",
      },
      noViewHasOp: { text: "no view {view}of this augmentation has '{op}'" },
    },
  },
  E012: {
    severity: "error",
    summary: "defined or given twice",
    docs: "Within one block of a source file a setting is given once, a declaration name is defined once per file, an op appears once per view, a view's name once per preset, and a sweep axis and its values are named once: a value must also make a point of its own, so two values that are equal however they are written (`[1, 1.0]`, `[0.001, 1e-3]`, `[4, 4 steps]`: the points resolve to the same settings, every setting counted, `train.devices` and `output` included) or whose run folders would be one (a folder name keeps letters, digits and `. _ = , + -`, any other character becomes `_`) are reported too. (Across a recipe and the pipeline that inherits it, the later one overrides: that is no error.) It is reported at the second one. Points of a sweep that name one `stand_in = true` file must make it alike (the same real images fitted, the same count and colour order): it is made once, so a sweep over the real source's `size` needs a stand-in file per value. A `--set` override may not give a setting that the pipeline's sweep varies. Two pipelines of a file (or points of two sweeps) may not write to one run directory, nor one into the folder of another's sweep points: `--resume` would take one run for the other and `--overwrite` would delete it; this is reported at the later pipeline's `output.dir`, or at its name when the directory is defaulted or comes from a recipe.",
    messages: {
      argumentTwice: { text: "{what}: '{name}' is given twice", hint: "remove one of them" },
      settingTwice: { text: "'{key}' is given twice in this block", hint: "remove one of them (the first is on line {line})" },
      blockTwice: { text: "'{key}' is given twice in this block", hint: "write one '{block}' block with both blocks' settings" },
      alreadyDefined: { text: "{kind} '{name}' is already defined at {at}", hint: "rename one of them" },
      opTwice: { text: "'{op}' appears twice in this view" },
      axisValueTwice: { text: "sweep axis '{axis}' lists '{value}' twice", hint: "remove one of them" },
      axisTwice: { text: "sweep axis '{axis}' is declared twice", hint: "merge their values into one axis" },
      axisValueSame: {
        text: "sweep axis '{axis}': '{value}' is the same setting as '{first}', so both points would train the same run",
        hint: "remove one of them",
      },
      axisValueSameFolder: {
        text: "sweep axis '{axis}': '{value}' and '{first}' would share one run folder ('{folder}')",
        hint: "make the values differ in letters, digits or . _ = , + - (other characters become _ in a folder's name), or name them in an `axis {axis} { ... }` block",
      },
      standInShared: {
        text: "sweep axis '{axis}': at '{value}' the stand-in set {file} would be made with {atValue}, at '{first}' with {atFirst}; the points share the one file, made once",
        hint: "give each value its own stand-in file: an `axis <name> { <value> { data { ... } } }` block sets the real source and the generated source's path together",
      },
      setOnSweepAxis: {
        text: "--set {key}: '{varied}' is what sweep axis '{axis}' varies, so every point would train with the --set value under its own label",
        hint: "leave the --set out: `adainfc run --only {axis}=<value>` trains the points you pick; or change the sweep in the file",
      },
      outputDirShared: {
        text: "{name} writes its run to {dir}, as {other} (line {line}) does",
        hint: "give each pipeline its own output.dir: a run directory holds one run, and --resume or --overwrite would take one run for the other",
      },
      outputDirIsSweep: {
        text: "{name} writes its run to {dir}, the folder of the points of sweep '{other}'",
        hint: "give each pipeline its own output.dir: a run directory inside a sweep's folder would be read as one of its points",
      },
    },
  },
  E013: {
    severity: "error",
    summary: "import not found",
    docs: "A `use` names a file that cannot be read, or a module that does not exist: modules are `std.<name>` or a quoted path relative to the importing file. In an editor, a buffer that is no file (`untitled:`, a git view such as `fugitive://`) has no folder, so a quoted path in its `use` is E013 too, saying so.",
    messages: {
      unreadableUse: { text: "{reason}", hint: "paths in `use` are relative to the importing file" },
      notAFile: {
        text: "'{file}' cannot be found: this buffer ({scheme}) is not a file, so its relative imports cannot be resolved",
        hint: "save it as a .adainf file to check its imports",
      },
      unknownModule: {
        text: "unknown module '{path}'",
        hint: "modules are 'std.<name>' ({modules}) or a quoted relative path such as use \"./common.adainf\"",
      },
      unknownStdModule: { text: "unknown standard module 'std.{module}'" },
      stdNeedsModule: { text: "`use std` needs a module name", hint: "std has {modules}" },
      tooDeep: { text: "'{path}' is too deep", hint: "write use std.<module> or use std.<module>.<name>" },
    },
  },
  E014: {
    severity: "error",
    summary: "cycle (imports, recipes, presets)",
    docs: "Files import each other, recipes inherit from each other, or augmentation presets refer to each other in a circle; the message shows the chain.",
    messages: {
      importCycle: { text: "import cycle: {chain}", hint: "move what both files need into a third file that neither imports back" },
      recipeCycle: { text: "recipes inherit from each other in a cycle: {chain}", hint: "remove the `from` of one of them" },
      presetCycle: {
        text: "augmentation presets refer to each other in a cycle: {chain}",
        hint: "declare one of them with its views: augment <name> { view ... }",
      },
    },
  },
  E015: {
    severity: "error",
    summary: "import path escapes the project",
    docs: 'A `use` path leads outside the project: the working directory `adainfc` runs in (the project root, as for data paths), or the standard library, for its own files. So `pipelines/p.adainf` may `use "../common.adainf"` when run from the project root, and the same file checked from inside `pipelines/` may not. Imports stay inside the project so that a project folder is self-contained.',
    messages: {
      outsideProject: { text: "'{file}' points outside the project ({root})", hint: "imports must stay inside the project folder; copy the file in" },
    },
  },
  E020: {
    severity: "error",
    summary: "wrong type of value",
    docs: "A value or statement has the wrong form for its place: a number where a name belongs, a fraction where a whole number belongs (`1.5 epochs` too), a single number for a range, a block where a setting belongs, a declaration without a body, `output.dir` as a sweep axis (the points' folders are made under the one `output.dir`, beside the sweep's results table), and so on. The message says what the place expects and what it found.",
    messages: {
      typeMismatch: { text: "{what} expects {expected}, found {found}" },
      notWholeNumber: { text: "{what} expects a whole number, found {raw}" },
      outputDirAxis: {
        text: "sweep axis '{axis}' varies output.dir: a sweep's points are folders under its one output.dir, beside its results table",
        hint: "set output.dir outside the sweep; each point gets a folder of its own under it",
      },
      notARange: { text: "{what} expects a range such as {raw}..1.0, found a single number", hint: "write lo..hi" },
      notNumbers: { text: "{what} expects numbers, found {found}" },
      withNotAllowed: { text: "'with' cannot modify {expr} ({what})" },
      tooManyPositional: { text: "{what} takes {allowed}", hint: "name the argument: {examples}" },
      expectsCall: { text: "{what} expects a call such as {example}(...)" },
      isBlock: { text: "'{key}' is a block: write {key} { ... }" },
      needsValue: { text: "'{key}' needs a value: {key} = ..." },
      needsValueWrite: { text: "'{key}' needs a value: write {key} = ..." },
      writeValue: { text: "write {key} = <value>" },
      writeValueInWith: { text: "inside 'with', write {key} = <value>" },
      listOfStatements: { text: "cannot set '{key}': '{head}' is a list of statements" },
      declNeedsBody: { text: "a {kind} is written with a body: {kind} {name} { ... }" },
      datasetNeedsBody: { text: "dataset '{name}' must be declared with a body" },
      dataSourceForm: { text: "a data source is written name = source(...), found '{key}'" },
      dataSourceCall: { text: 'a data source is a call such as cifar10("datasets/cifar10") or npz("gen.npz")' },
      inflateForm: { text: "inflate lists sources with their replication, e.g. real x 10; found '{key}'" },
      augmentForm: { text: "augment is written augment = <preset> or augment { view ... }" },
      augmentNeedsPresetOrViews: { text: "augment needs a preset (augment = symmetric_adainf) or a block of views" },
      augmentExpectsPreset: { text: "augment expects the name of an augmentation preset", hint: "e.g. augment = symmetric_adainf" },
      onlyViews: { text: "an augmentation is made of views, found '{key}'", hint: "write view x 2 { ... } or view v1 { ... }" },
      viewListsOps: { text: "a view lists ops such as grayscale(p = 0.2), found '{key}'" },
      toggleForm: { text: "write {key}(...) to enable it or {key} = off to disable it" },
      lintRuleIds: { text: "{key}(...) lists rule ids" },
      lintForm: { text: "lint takes allow(rule, ...), deny(rule, ...) or <rule> = off|info|warn|error" },
      axisValueForm: { text: "each value of axis '{axis}' is a name and a block: {value} { ... }" },
      axisForm: { text: "a sweep axis is a setting with a list of values (seed = [0, 1, 2]) or axis NAME { value { ... } ... }" },
    },
  },
  E021: {
    severity: "error",
    summary: "value out of range",
    docs: "A value has the right type but is outside what its setting allows: a number out of bounds, a name not among the choices, an empty range, a list of the wrong length, a whole number too large to be kept exactly (over 2^53 - 1), or a combination that cannot hold (a batch that does not split over the devices, a batch larger than one epoch of the training mixture (from `adainfc run`, which could not draw one; `check` says nothing of it, `lint` warns with its rule batch-size), a size larger than the data set (a preset's split, or an npz on disk, when compiling; an image folder's, or a file changed since, when `run`, `eval` or `data check` opens it), a declared `shape` other than the one an npz on disk holds, sources with different channel counts, training sources of different image sizes (known from presets and npz headers when compiling; an image folder's is `run`'s error when it opens it), a sweep of too many points).",
    messages: {
      outOfRange: { text: "{what} = {raw} is out of range: it must be {bounds}", hint: "use a value {bounds}" },
      notExactWhole: {
        text: "{what} = {raw} is out of range: whole numbers are kept exactly only up to 9_007_199_254_740_991 (2^53 - 1)",
        hint: "use a whole number of at most 9_007_199_254_740_991",
      },
      notPositiveWhole: { text: "{what} = {raw} is out of range: it must be a positive whole number", hint: "use 1 or more, e.g. 200 steps or 10 epochs" },
      notPositiveWholeOrNone: { text: "{what} = {raw} is out of range: it must be a positive whole number", hint: "write none for only at the end" },
      rangeOutOfRange: { text: "{what} = {lo}..{hi} is out of range: both ends must be {bounds}", hint: "keep both ends {bounds}" },
      emptyRange: { text: "{what}: the range {lo}..{hi} is empty (lower bound above upper bound)", hint: "write the lower bound first: {hi}..{lo}" },
      itemOutOfRange: { text: "{what}: {raw} is out of range: each must be {bounds}", hint: "change {raw} to a value {bounds}" },
      wrongLength: { text: "{what} expects {length} numbers, found {found}", hint: "write exactly {length} numbers" },
      notAChoice: { text: "{what} cannot be '{value}'" },
      viewCount: { text: "the number of views must be a whole number from 1 to 16", hint: "e.g. view x 2 { ... }" },
      standInNotGenerated: {
        text: "stand_in = true describes a generated set, but '{name}' has origin = {origin}",
        hint: "remove stand_in, or make the source origin = generated",
      },
      sizeTooLarge: { text: "{source} {split} has {full} images; size = {size} asks for more", hint: "use size = {full} or less" },
      sizeOverData: {
        text: "source '{name}' ({path}) has {full} images; size = {size} asks for more",
        hint: "declare size = {full} or less (the first N images are used), or point the source at data with more images",
      },
      shapeOverData: {
        text: "source '{name}' ({path}) holds {found} images, but its shape is declared {declared}",
        hint: "declare shape = {tuple} (or leave shape out: the file's header tells it), or convert the file",
      },
      shapeOverDataMaybeNchw: {
        text: "source '{name}' ({path}) holds {found} images, but its shape is declared {declared}",
        hint: "its image array is {array}: if that is (N, C, H, W), declare layout = nchw; else declare shape = {tuple}",
      },
      shapeOverDataNchw: {
        text: "source '{name}' ({path}) holds {found} images read as layout = nchw, but its shape is declared {declared}",
        hint: "its image array is {array}: if that is (N, H, W, C), drop layout = nchw",
      },
      sizesDiffer: {
        text: "training source '{name}' holds {shape} images but '{reference}' holds {referenceShape}: one batch holds images of one size",
        hint: "make the images of '{name}' {hw} (an image folder: `adainfc data convert <folder> --resize {hw}`), or train on sources of one size",
      },
      statsPerChannel: {
        text: "dataset '{name}': mean and std need one value per channel ({channels})",
        hint: "write {channels} numbers for each of mean and std",
      },
      channelsDiffer: {
        text: "source '{name}' has {channels} channels but '{reference}' has {referenceChannels}",
        hint: "every source needs {referenceChannels} channels: convert the data of '{name}', or correct its declared shape",
      },
      batchOverDevices: {
        text: "batch_size = {batch} cannot be split over {devices} devices: batch_size is the total over all devices",
        hint: "use a multiple of {devices}, e.g. batch_size = {example}",
      },
      tooManyPoints: { text: "the sweep has {points} points; at most {max} are allowed", hint: "split it into several pipelines" },
      batchOverEpoch: {
        text: "train.batch_size = {batch} is more than the {images} images of one epoch of the training mixture: no batch can be drawn (a batch never spans two epochs)",
        hint: "use a batch of at most {images} images, or add data",
      },
    },
  },
  E022: {
    severity: "error",
    summary: "required setting missing",
    docs: "Something a pipeline cannot do without is missing: its data, an augmentation, a backbone, a method, an optimizer, a required parameter of a builtin, the folder of a dataset, the values of a sweep axis, the image shape of a file not made yet. A recipe (`pipeline p from simclr { ... }`) supplies most of them.",
    messages: {
      needsParameter: { text: "{what} needs '{name}' ({doc})", hint: "add {name} = ..." },
      noData: { text: "pipeline '{name}' has no data", hint: 'add data { real = cifar10("datasets/cifar10") }' },
      nothingToTrain: { text: "nothing to train on: inflate lists no source" },
      noAugmentation: { text: "pipeline '{name}' has no augmentation", hint: "add augment = symmetric (or inherit one with `from simclr`)" },
      noViews: { text: "the augmentation has no views", hint: "add `view x 2 { ... }` (symmetric) or `view v1 { ... }` and `view v2 { ... }`" },
      noBackbone: { text: "model needs a backbone", hint: "backbone = resnet18(stem = cifar)" },
      noMethod: { text: "model needs a method", hint: "method = simclr, or inherit a recipe: pipeline p from simclr { ... }" },
      noOptimizer: { text: "train needs an optimizer", hint: "optimizer = lars(lr = 0.2), or inherit a recipe: pipeline p from simclr { ... }" },
      needsFolder: { text: "{source} needs the folder of its files", hint: '{source}("datasets/{source}")' },
      axisNoValues: { text: "sweep axis '{axis}' has no values" },
      unknownShape: {
        text: "the image shape of the data is unknown: no source ({names}) declares one, and none could be read from a file",
        hint: "declare it on '{name}', e.g. {format}(..., shape = (32, 32, 3)) (sources without one share it){orMake}",
      },
    },
  },
  E023: {
    severity: "error",
    summary: "a setting the chosen method/builtin does not take (says which one does)",
    docs: "The setting exists, but not on the builtin chosen here (a `queue_size` on SimCLR, say); the hint names the builtins that take it and lists what this one takes.",
    messages: {
      notTaken: { text: "{what} does not take '{name}'", hint: "'{name}' is a setting of {takers}; {builtin} takes {known}" },
    },
  },
  E024: {
    severity: "error",
    summary: "a unit where none belongs",
    docs: "Units (`steps`, `epochs`) belong on durations only (`steps = 30 epochs`, `every = 200 steps`); any other value takes a bare number.",
    messages: {
      noUnit: { text: "{what} takes no unit, found '{unit}'", hint: "units (steps, epochs) only go on durations" },
    },
  },
  E030: {
    severity: "error",
    summary: "unknown data source, or evaluation without a labelled source",
    docs: "`inflate` or `evaluate.source` names no source of the `data` block, or an evaluator (online linear, kNN, linear probe) is asked for but no labelled evaluation source exists (a source named `eval` or `test`, or `evaluate { source = <name> }`).",
    messages: {
      unknownSource: { text: "unknown data source '{name}'" },
      evalSourceNotASource: { text: "evaluate.source must name a data source" },
      noEvalSource: {
        text: "evaluation needs a labelled evaluation source",
        hint: 'add eval = cifar10("datasets/cifar10", split = test) to data, or evaluate { source = <name> }',
      },
    },
  },
  E031: {
    severity: "error",
    summary:
      "a length in epochs that cannot be converted (a source's size is unknown: declare `size = N`, or put the npz file in place — its header is read, never its pixels)",
    docs: "Lengths are stored in steps; one given in epochs is converted with the size of the training mixture, so every training source's size must be known (declared with `size = N`, a CIFAR/MNIST split, or an npz file in place whose header is read) and an epoch must hold at least one batch.",
    messages: {
      sizeUnknown: {
        text: "{what} is given in epochs, but the size of {sources} is unknown",
        hint: "declare it: size = <number of images>, or give {what} in steps",
      },
      epochShorterThanBatch: { text: "{what}: an epoch is shorter than one batch ({images} images, batch {batch})" },
    },
  },
  E032: {
    severity: "error",
    summary: "an npz file whose headers describe no usable data set (no images, a zero dimension, a damaged archive)",
    docs: "An npz source that is already on disk is checked by its headers alone (no pixels are read); this reports one whose headers describe no usable data set. The file itself is at fault (the message says how): write it again, or point the source at another file. `adainfc data check` and `data info` stop at the same headers, so they say no more.",
    messages: {
      npzUnusable: {
        text: "{path}: {problem}",
        hint: "write the file again if it is damaged (np.savez(path, image=..., label=...), `adainfc data convert` or `adainfc generate`), fix what the message names if not (its permissions, a FIFO or device in its place), or point the source at another file",
      },
    },
  },
  E040: {
    severity: "error",
    summary: "internal: the IR does not match its schema (a bug; please report)",
    docs: "The resolved IR failed validation against its own JSON Schema. No input should cause this; it is a bug in adainfc.",
    messages: {
      irSchema: { text: "internal error: the IR of '{name}' does not match its schema: {errors}", hint: "please report this with the file" },
    },
  },
  E070: {
    severity: "error",
    summary: "`compile --target solo-learn`: data that solo-learn cannot express",
    docs: "The training mixture or a data source has no solo-learn data setting: solo-learn pretrains on one CIFAR train split plus at most one npz file (`data.extra_data`), repeats only the real data (`data.dup`), and validates on the whole CIFAR test split.",
    messages: {
      cannotExpress: { text: "solo-learn cannot express {what}" },
    },
  },
  E071: {
    severity: "error",
    summary: "`compile --target solo-learn`: an augmentation that solo-learn cannot express",
    docs: "An augmentation op, parameter, order or view count that solo-learn lacks: it applies a fixed set of ops in one order, with some parameters fixed, to exactly two large crops.",
    messages: {
      cannotExpress: { text: "solo-learn cannot express {what}" },
    },
  },
  E072: {
    severity: "error",
    summary: "`compile --target solo-learn`: a backbone that solo-learn cannot express",
    docs: "A backbone solo-learn's CIFAR setup does not build: it builds resnet18 and larger, always with the CIFAR stem.",
    messages: {
      cannotExpress: { text: "solo-learn cannot express {what}" },
    },
  },
  E073: {
    severity: "error",
    summary: "`compile --target solo-learn`: training or evaluation settings that solo-learn cannot express",
    docs: "Training or evaluation settings solo-learn cannot take: its batch size is per GPU, it always trains the online linear classifier and validates on a test split, its online kNN has a fixed temperature and cadence, and it runs the offline probe as a separate job.",
    messages: {
      cannotExpress: { text: "solo-learn cannot express {what}" },
    },
  },
  W001: {
    severity: "warning",
    summary: "the crop is larger than the images",
    docs: "A `random_resized_crop` size above the images' size upsamples every view: training is slower for no gain. Crop to the image size.",
    messages: {
      cropLarger: {
        text: "view '{view}' crops to {size}x{size} but '{source}' images are {height}x{width}: every view is upsampled",
        hint: "use size = {height}",
      },
      cropLargerViews: {
        text: "views {views} crop to {size}x{size} but '{source}' images are {height}x{width}: every view is upsampled",
        hint: "use size = {height}",
      },
    },
  },
  W070: {
    severity: "warning",
    summary: "`compile --target solo-learn`: an npz file declared BGR is fed as RGB",
    docs: "solo-learn reads the npz pixels as RGB and does not swap a file declared BGR (as in the paper's runs), while adainfc's own runtime swaps them. Convert the file to RGB for colour-correct training with solo-learn.",
    messages: {
      bgrNotSwapped: {
        text: "'{name}' is declared BGR, but the reference code feeds the npz pixels to torchvision as RGB without swapping (as in the paper's runs); adainfc's own runtime swaps them",
        hint: "for colour-correct training with solo-learn, convert the file to RGB first",
      },
    },
  },
  W071: {
    severity: "warning",
    summary: "`compile --target solo-learn`: checkpoints are counted in epochs",
    docs: "solo-learn checkpoints every whole number of epochs and keeps every checkpoint or only the last, so `checkpoint_every` is rounded to epochs and `keep` becomes keep-all. With the epoch length unknown (an npz of unknown size), a checkpoint only at the end becomes a frequency of the run's steps in epochs.",
    messages: {
      checkpointsPerEpoch: { text: "solo-learn checkpoints per epoch: {notes}" },
    },
  },

  // ---- `adainfc data check` (src/runtime/data/check.ts): the data a pipeline names, opened.
  D001: {
    severity: "error",
    summary: "a data source does not open (missing, truncated, wrong format)",
    docs: "`adainfc data check` opens every source the pipeline declares (downloading a CIFAR or MNIST split into the cache when needed) and reports one that does not open, with what went wrong. The compiler checks an npz file's headers already (E032); this is what only opening finds.",
    messages: {
      doesNotOpen: { text: "source '{name}' does not open: {problem}" },
    },
  },
  D002: {
    severity: "error",
    summary: "a source's image shape differs from the shape it is declared with",
    docs: "The images a source holds have another height, width or channel count than its `shape` (declared, or shared from the real data). `run` and `eval` refuse such a source when it opens (an npz on disk is `check`'s E021 already); declare the real shape, or convert the data (`adainfc data convert --resize HxW`).",
    messages: {
      shapeDiffers: { text: "source '{name}' holds {found} images, declared {declared}" },
      shapeDiffersLayout: { text: "source '{name}' holds {found} images, declared {declared}", hint: "if the array is (N, C, H, W), declare layout nchw" },
    },
  },
  D003: {
    severity: "warning",
    summary: "the pipeline's epoch size differs from the data",
    docs: "The epoch size the pipeline assumed when it converted epochs to steps differs from the mixture's real one: settings given in epochs then train for another number of steps than meant. A source's declared `size` is no such difference when the data holds more (its first `size` images are used, as `run` uses them); one that holds fewer is the error E021.",
    messages: {
      epochSizeDiffers: { text: "the pipeline assumes {assumed} samples per epoch, the data gives {found}" },
    },
  },
  D004: {
    severity: "warning",
    summary: "the crop is larger than the images (crops are upsampled); as info, smaller",
    docs: "A view's `random_resized_crop` size is compared with each training source's images: larger means every crop is upsampled (a warning); smaller is reported as information, as it changes what the network sees.",
    messages: {
      cropUpsampled: { text: "view '{view}' crops to {size}x{size} but '{source}' images are {h}x{w}: crops are upsampled" },
      cropSmaller: { text: "view '{view}' crops to {size}x{size} from {h}x{w} '{source}' images", severity: "info" },
    },
  },
  D005: {
    severity: "error",
    summary: "training sources differ in shape",
    docs: "One batch holds images of one shape, so every source of the training mixture must have the same height, width and channels.",
    messages: {
      shapesDiffer: {
        text: "training sources differ in shape ({shapes})",
        hint: "convert the generated set to the real images' size (`adainfc data convert --resize HxW`)",
      },
    },
  },
  D006: {
    severity: "warning",
    summary: "a generated source's channel means or stds are far from the real data's (mean gap > 0.1 or std ratio > 1.4)",
    docs: "The channel statistics of a sample of each generated training source are compared with the real sources' (on the 0..1 scale). A large gap usually means another value range or preprocessing; the paper's remedy for a real distribution gap is re-weighting the real data (replicate > 1).",
    messages: {
      distributionGap: {
        text: "generated source '{name}' differs from the real data: channel means {means} vs {realMeans}, stds {stds} vs {realStds}",
        hint: "check its value range and preprocessing; re-weighting real data (replicate > 1) counters a distribution gap",
      },
    },
  },
  D007: {
    severity: "warning",
    summary: "probable BGR/RGB swap of a generated source",
    docs: "Swapping red and blue of a generated source's channel means at least halves their distance to the real data's means (when that distance is at least 0.02): the file probably stores OpenCV's BGR order (as the reference's converter does) and is read as RGB, or the other way round.",
    messages: {
      channelsSwapped: {
        text: "generated source '{name}' looks like it has red and blue swapped: its channel means {means} are {distance} from the real data's {realMeans}, {swappedDistance} after swapping",
        hint: "declare `channels = bgr` on it (the reference converter stores OpenCV's BGR order); or, when its image folder is at hand, convert that again with `adainfc data convert` (which writes RGB)",
      },
      channelsSwappedDeclaredBgr: {
        text: "generated source '{name}' looks like it has red and blue swapped: its channel means {means} are {distance} from the real data's {realMeans}, {swappedDistance} after swapping",
        hint: "it is declared `channels = bgr`, but the pixels look RGB already: declare `channels = rgb`",
      },
    },
  },
  D008: {
    severity: "info",
    summary: "sizes, epoch size and generated share of the training mixture",
    docs: "What the training mixture holds once its sources are open: each source's size and replication, the samples per epoch and the generated share.",
    messages: {
      mixture: { text: "training mixture: {parts} = {epochSize} samples per epoch, generated share {share}%" },
    },
  },
  D009: {
    severity: "error",
    summary: "the training mixture names a source that is not declared",
    docs: "An entry of the training mixture names no declared source. The compiler reports this already for a pipeline it compiles; `data check` says it again for the mixture it opens.",
    messages: {
      undeclaredSource: { text: "the training mixture names '{name}', which is not a declared source" },
    },
  },
  D010: {
    severity: "warning",
    summary: "the evaluation source has no labels",
    docs: "A sample of the evaluation source carries no labels (every label is -1, as in a generated set without them): kNN, the linear probe and the online classifier need them.",
    messages: {
      evalNoLabels: { text: "evaluation source '{name}' has no labels" },
    },
  },
  D011: {
    severity: "error",
    summary: "an npz member fails its CRC-32 check (the file is damaged)",
    docs: "Every member of each npz source is read through and checked against the CRC-32 its zip directory stores, as numpy does when it loads one (\"Bad CRC-32\"). Training reads only the images it needs and would not notice damage elsewhere. A deflated member damaged past its header, which does not even open, is reported here too (its checksum names the cause); one whose stream breaks within its first 8 KiB of compressed bytes (which the compiler's header read inflates: its npy header and what follows) is the compiler's E032.",
    messages: {
      crcMismatch: { text: "{path}: {member} fails its CRC-32 check (stored {stored}, {computed}): the file is damaged; make or download it again" },
      unreadable: { text: "{path}: cannot be read through ({problem}): the file is damaged; make or download it again" },
    },
  },
  D012: {
    severity: "error",
    summary: "an npz source has labels outside 0..classes-1 (or below -1)",
    docs: "The labels of the images a labelled npz source uses (its first `size`) must be -1 (unlabelled) or a class: 0..classes-1 when the source declares `classes`. A label of `classes` or above has no output of the classifier, the probe or kNN's vote (the figures would be wrong), and one below -1 is no documented marker. `run` and `eval` stop with this message when the source opens; CIFAR labels are checked the same way.",
    messages: {
      labelsOutOfRange: { text: "source '{name}' ({path}): {problem}" },
    },
  },
} as const satisfies { readonly [code: string]: CodeDef };

/**
 * The one lint diagnostic that is no rule: a `lint { ... }` entry that names no rule. The
 * linter reports it beside the rules' ids, so its code is a name, not an E/W/D code
 * (docs/diagnostics.md documents it after them; `adainfc explain lint-config` prints it).
 */
export const LINT_CONFIG_CODE = "lint-config";

export const LINT_CONFIG = {
  severity: "warning",
  summary: "a `lint { ... }` entry names no rule",
  docs: "A pipeline's `lint { ... }` block names a rule that does not exist (a typo, or a rule of another version), in `allow(...)`, `deny(...)` or `<id> = <severity>`. It is a warning (an error under `--deny warnings`) so that a misspelt rule is not silently left at its default. It is not a rule: it cannot be allowed, denied or set with `--rule`; fix the id (`adainfc explain --list` shows every rule) or remove the entry.",
  messages: {
    unknownRule: { text: "the lint block names an unknown rule '{id}'", hint: "adainfc explain --list shows every rule id" },
    notARule: { text: "the lint block names an unknown rule '{id}'", hint: "{id} is not a rule (adainfc explain {id})" },
  },
} as const satisfies CodeDef;

/** A lint-config message with its default hint (the linter gives it its place and severity). */
export function lintConfigMessage(name: keyof typeof LINT_CONFIG.messages, id: string): { message: string; hint: string } {
  const m = LINT_CONFIG.messages[name];
  return { message: formatTemplate(m.text, { id }), hint: formatTemplate(m.hint, { id }) };
}

/** Codes no longer reported, with what reports the problem now; kept so that a code is never reused. */
export const RETIRED: { readonly [code: string]: string } = {
  W002: "the evaluation source is also trained on: reported by the lint rule `eval-on-train` instead (one finding, at the line to change, and it can be allowed like any rule)",
};

export type Registry = typeof REGISTRY;
export type DiagnosticCode = keyof Registry;

/** A diagnostic without its place: what a registry message builds. */
export interface Message {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  hint?: string;
}

// {name} placeholders of a template; braces around anything but a name (`{ ... }`,
// `\u{...}`) are text, as PLACEHOLDER below reads them.
type NotName = "" | `${string}${" " | "." | "," | "(" | "=" | "{" | "\\" | "-"}${string}`;
type Placeholders<T extends string> = T extends `${string}{${infer K}}${infer Rest}` ? (K extends NotName ? never : K) | Placeholders<Rest> : never;
type Template<M> = M extends { text: infer T extends string; hint: infer H extends string } ? T | H : M extends { text: infer T extends string } ? T : never;
export type MessageArgs<M> = { readonly [K in Placeholders<Template<M>>]: string | number };
type Builder<M> = [Placeholders<Template<M>>] extends [never] ? () => Message : (args: MessageArgs<M>) => Message;

export type Builders = {
  readonly [C in DiagnosticCode]: { readonly [N in keyof Registry[C]["messages"]]: Builder<Registry[C]["messages"][N]> };
};

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Fill a template's {name} placeholders. */
export function formatTemplate(template: string, args: { readonly [k: string]: string | number }): string {
  return template.replace(PLACEHOLDER, (all, k: string) => (k in args ? String(args[k]) : all));
}

/** The argument names a template uses. */
export function templateArgs(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function builders(): Builders {
  const out: Record<string, Record<string, (args?: Record<string, string | number>) => Message>> = {};
  for (const [code, def] of Object.entries(REGISTRY) as [DiagnosticCode, CodeDef][]) {
    out[code] = {};
    for (const [name, m] of Object.entries(def.messages)) {
      out[code][name] = (args = {}) => {
        const made: Message = { code, severity: m.severity ?? def.severity, message: formatTemplate(m.text, args) };
        if (m.hint) made.hint = formatTemplate(m.hint, args);
        return made;
      };
    }
  }
  return out as unknown as Builders;
}

/** Every registry message as a typed builder: `diag.E010.unknownName({ what: "recipe", name })`. */
export const diag: Builders = builders();

/** A registry message at a place; `hint`, when given and not empty, replaces the message's default hint. */
export function diagnostic(m: Message, span: Span | null, hint?: string): Diagnostic {
  const d: Diagnostic = { code: m.code, severity: m.severity, message: m.message, span };
  const h = hint || m.hint;
  if (h) d.hint = h;
  return d;
}
