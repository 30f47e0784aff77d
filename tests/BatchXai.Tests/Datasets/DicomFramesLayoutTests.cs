using BatchXai.Contracts;
using BatchXai.Coordinator.Datasets;
using BatchXai.Imaging;
using BatchXai.Tests.Dicom;
using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Datasets;

/// <summary>
/// DICOM at listing time, on pydicom's real sample files: every frame of a multi-frame file is an
/// image (file#frame), and label files may name files by SOP Instance UID. pydicom reads the
/// frame counts and UIDs the listing is checked against.
/// </summary>
public sealed class DicomFramesLayoutTests
{
    /// <summary>pydicom's Number of Frames (1 when absent) and SOP Instance UID of a file.</summary>
    private static (int Frames, string Uid) Pydicom(string path)
    {
        var parts = PythonReference.Run("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
            print(int(ds.get('NumberOfFrames', 1) or 1), ds.SOPInstanceUID)
            """, path).Split(' ');
        return (int.Parse(parts[0]), parts[1]);
    }

    private static DatasetFolder WithSamples(params (string Key, string Sample)[] files)
    {
        var ds = new DatasetFolder();
        foreach (var (key, sample) in files) ds.File(key, DicomSamples.Bytes(sample));
        return ds;
    }

    [Fact]
    public async Task Every_frame_of_a_multi_frame_file_is_an_image_keyed_file_hash_frame()
    {
        using var ds = WithSamples(("ct.dcm", "CT_small.dcm"), ("rgb2", "SC_rgb_rle_2frame.dcm"), ("dose.dcm", "rtdose.dcm"))
            .Images("photo.jpg");
        var doseFrames = Pydicom(DicomSamples.PathOf("rtdose.dcm")).Frames;
        Assert.True(doseFrames > 2, $"rtdose.dcm has {doseFrames} frames");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.Unlabelled, listing.Layout);
        string[] expected = ["ct.dcm", .. Enumerable.Range(0, doseFrames).Select(f => $"dose.dcm#{f}"), "photo.jpg",
            .. Enumerable.Range(0, Pydicom(DicomSamples.PathOf("SC_rgb_rle_2frame.dcm")).Frames).Select(f => $"rgb2#{f}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), listing.Images.Select(i => i.Key).Order(StringComparer.Ordinal));
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task With_a_chosen_frame_each_file_is_one_image()
    {
        using var ds = WithSamples(("rgb2.dcm", "SC_rgb_rle_2frame.dcm"), ("ct.dcm", "CT_small.dcm"));
        var listing = await ds.EnumerateAsync(expandFrames: false);
        Assert.Equal(["ct.dcm", "rgb2.dcm"], listing.Images.Select(i => i.Key));
    }

    [Fact]
    public async Task Frames_are_found_past_a_header_longer_than_the_first_read()
    {
        using var ds = new DatasetFolder();
        var path = Path.Combine(ds.Root, "long-header.dcm");
        // A 200 kB private element before the image attributes: the header outgrows DicomHeader.HeadBytes.
        PythonReference.Run("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            ds.add_new(0x00090010, 'LO', 'BATCHXAI TEST')
            ds.add_new(0x00091001, 'OB', bytes(200000))
            ds.save_as(sys.argv[2])
            """, DicomSamples.PathOf("SC_rgb_rle_2frame.dcm"), path);
        Assert.True(new FileInfo(path).Length > DicomHeader.HeadBytes);

        var listing = await ds.EnumerateAsync();

        Assert.Equal(["long-header.dcm#0", "long-header.dcm#1"], listing.Images.Select(i => i.Key));
    }

    [Fact]
    public async Task Labels_may_name_files_by_sop_instance_uid_or_path_and_single_frames_by_suffix()
    {
        var ctUid = Pydicom(DicomSamples.PathOf("CT_small.dcm")).Uid;
        var rgbUid = Pydicom(DicomSamples.PathOf("SC_rgb_rle_2frame.dcm")).Uid;
        using var ds = WithSamples(("series/ct.dcm", "CT_small.dcm"), ("series/rgb", "SC_rgb_rle_2frame.dcm"), ("series/mr.dcm", "MR_small.dcm"))
            .Text("labels.csv", $"key,label\n{ctUid},severe\nseries/mr.dcm,mild\n{rgbUid},none\n{rgbUid}#1,proliferative\n{rgbUid}#5,mild\n1.2.3.4,none\n");

        var listing = await ds.EnumerateAsync();

        Assert.Equal(DatasetLayout.CsvManifest, listing.Layout);
        Assert.Equal(
            [new ImageRef("series/ct.dcm", 3), new ImageRef("series/mr.dcm", 1), new ImageRef("series/rgb#0", 0), new ImageRef("series/rgb#1", 4)],
            listing.Images.OrderBy(i => i.Key, StringComparer.Ordinal));
        Assert.Equal(2, listing.Problems.Count);
        Assert.Contains(listing.Problems, p => p.ImageKey == "series/rgb#5" && p.Reason.Contains("has 2 frame(s) (0028,0008)"));
        Assert.Contains(listing.Problems, p => p.ImageKey == "1.2.3.4" && p.Reason.Contains("not in the dataset"));
    }

    [Fact]
    public async Task A_file_named_like_a_frame_key_fails_alone()
    {
        using var ds = new DatasetFolder().Images("a.png", "scan#2");
        var listing = await ds.EnumerateAsync();
        Assert.Equal(["a.png"], listing.Images.Select(i => i.Key));
        var problem = Assert.Single(listing.Problems);
        Assert.Equal("scan#2", problem.ImageKey);
        Assert.Contains("file#frame", problem.Reason);
    }

    [Theory]
    [InlineData("scan.dcm#3", "scan.dcm", 3)]
    [InlineData("a/b#0", "a/b", 0)]
    [InlineData("photo#1.jpg", "photo#1.jpg", null)]
    [InlineData("#3", "#3", null)]
    [InlineData("x#", "x#", null)]
    [InlineData("x#12345678", "x#12345678", null)]
    public void Frame_keys_split_into_file_and_frame(string key, string file, int? frame)
    {
        Assert.Equal((file, frame), FrameKeys.Split(key));
        if (frame is { } f) Assert.Equal(key, FrameKeys.Of(file, f));
    }
}
