namespace BatchXai.Storage.Database;

/// <summary>One SpRAy cluster of a class's maps (issue 13): cluster 0 is the class's main (largest) cluster.</summary>
public sealed class SprayClusterRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Method { get; set; } = "";
    public int ClassIndex { get; set; }
    public string ClassName { get; set; } = "";
    public int ClusterIndex { get; set; }
    /// <summary>Clusters the eigengap chose for the class.</summary>
    public int ClusterCount { get; set; }
    public int ClassImageCount { get; set; }
    public int Size { get; set; }
    /// <summary>λ_{k+1} − λ_k of the class's normalised Laplacian.</summary>
    public double Eigengap { get; set; }
    /// <summary>Mean distance of the members' grid maps to their mean map.</summary>
    public double Spread { get; set; }
    /// <summary>Distance of the mean map to the main cluster's (0 for the main cluster).</summary>
    public double DistanceToMain { get; set; }
    /// <summary>Small, tight and distant: a candidate shortcut.</summary>
    public bool Candidate { get; set; }
    /// <summary>JSON array of the members' image keys, nearest the mean map first.</summary>
    public string MembersJson { get; set; } = "[]";
    public int GridSide { get; set; }
    /// <summary>The mean grid map, float32 little-endian, row-major GridSide×GridSide.</summary>
    public byte[] MeanMap { get; set; } = [];
    public string NpyUri { get; set; } = "";
    public string PngUri { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}
