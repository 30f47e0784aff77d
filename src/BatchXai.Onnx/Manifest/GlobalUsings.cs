// The manifest's "head" field is the Core's HeadKind: one definition for manifest and methods.
global using HeadKind = BatchXai.Core.Heads.HeadKind;
// Likewise "input.fieldOfView" is the Core's FieldOfViewMode, which the audit's detector takes.
global using FieldOfViewMode = BatchXai.Core.Audit.FieldOfViewMode;
