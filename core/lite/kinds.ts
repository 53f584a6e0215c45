// Which type kinds (core/schema.ts T) the lite COMPACT codec carries. All of them here; a board build
// replaces this module with the kinds its cells use (firmware/build/), so the code for the others
// is folded away.
export var U8 = true;
export var U16 = true;
export var U32 = true;
export var I8 = true;
export var I16 = true;
export var I32 = true;
export var F32 = true;
export var F64 = true;
export var BOOL = true;
export var STRING = true;
export var BYTES = true;
export var ARRAY = true;
export var OPTIONAL = true;
export var STRUCT = true;
export var ENUM = true;
