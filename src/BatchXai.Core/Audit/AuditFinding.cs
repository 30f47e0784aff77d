namespace BatchXai.Core.Audit;

/// <summary>
/// One conclusion of the artefact audit for a class and method. <see cref="Kind"/> names what was
/// measured (e.g. "outside_fov_mass", "corner_mass_top_left"); <see cref="Evidence"/> holds the
/// numbers behind it, serialisable as JSON.
/// </summary>
public sealed record AuditFinding(string Method, int ClassIndex, string Kind, AuditSeverity Severity, string Message,
    IReadOnlyDictionary<string, object> Evidence);

/// <summary>An image's measured attribution, named for evidence lists, with the kind of field of view it was measured against.</summary>
public sealed record ImageAttribution(string ImageKey, MapAttribution Attribution, FieldOfViewKind FieldOfView = FieldOfViewKind.InscribedDisc);
