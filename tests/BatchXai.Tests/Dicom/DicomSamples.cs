using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Dicom;

/// <summary>
/// Real DICOM files from Debian's python3-pydicom (pydicom/data/test_files, MIT licence), read
/// where the package installed them (infra/setup.sh --test), never committed here.
/// </summary>
internal static class DicomSamples
{
    private static readonly Lazy<string> Folder = new(() =>
        PythonReference.Run("import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))"));

    public static string PathOf(string name) => Path.Combine(Folder.Value, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>pydicom + numpy: the frame's pixels after the modality LUT, flattened, as float32 (the independent reference).</summary>
    public static float[] ModalityValues(string path, int frame = 0)
    {
        var text = PythonReference.Run("""
            import sys, numpy as np, pydicom
            from pydicom.pixel_data_handlers.util import apply_modality_lut
            ds = pydicom.dcmread(sys.argv[1])
            a = ds.pixel_array
            if int(ds.get('NumberOfFrames', 1)) > 1: a = a[int(sys.argv[2])]
            v = apply_modality_lut(a, ds).astype(np.float64).ravel()
            print(' '.join(repr(float(x)) for x in v))
            """, path, frame.ToString());
        return text.Split(' ').Select(t => (float)double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
