// The rules are the Core's: methods choose them, the builder implements them.
global using GradientRule = BatchXai.Core.Gradients.GradientRule;
