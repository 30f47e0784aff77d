// The manifest's "head" field is the Core's HeadKind: one definition for manifest and methods.
global using HeadKind = BatchXai.Core.Heads.HeadKind;
