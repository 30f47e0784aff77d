namespace BatchXai.Synthetic;

/// <summary>
/// Lesion classes of the ground-truth mask. The numeric value is the byte written into
/// <c>masks/&lt;id&gt;.png</c>, so these numbers are part of the dataset format.
/// </summary>
public enum LesionType : byte
{
    None = 0,
    Microaneurysm = 1,
    Haemorrhage = 2,
    HardExudate = 3,
    CottonWoolSpot = 4,
    Neovascularisation = 5,
}
