using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

/// <summary>Reading label rows out of a label file's text, independent of any store.</summary>
public sealed class LabelFileParsingTests
{
    private static readonly LabelFileFormat Aptos = LabelFileFormat.Known.Single(f => f.FileName == "train.csv");
    private static readonly LabelFileFormat Generic = LabelFileFormat.Known.Single(f => f.FileName == "labels.csv");

    private static List<(int, string, string)> Rows(LabelFileFormat format, string text) =>
        LabelFileFormat.Parse(format, text).Select(r => (r.Line, r.Id, r.Label)).ToList();

    [Fact]
    public void A_mask_column_gives_each_row_its_mask_path_and_an_empty_cell_none()
    {
        var rows = LabelFileFormat.Parse(Generic, "key,Mask,label\na.png,seg/a.png,1\nb.png,,2\nc.png\n").ToList();

        Assert.Equal([new LabelRow(2, "a.png", "1", "seg/a.png"), new LabelRow(3, "b.png", "2"), new LabelRow(4, "c.png", "")], rows);
        Assert.All(LabelFileFormat.Parse(Aptos, "id_code,diagnosis\na,1\n"), r => Assert.Null(r.Mask));
    }

    [Fact]
    public void Known_formats_are_aptos_eyepacs_and_generic_with_their_columns_and_image_folders()
    {
        Assert.Equal(
            [("train.csv", "id_code", "diagnosis", "train_images"), ("trainLabels.csv", "image", "level", "train"), ("labels.csv", "key", "label", null)],
            LabelFileFormat.Known.Select(f => (f.FileName, f.IdColumn, f.LabelColumn, f.ImageFolder)));
    }

    [Fact]
    public void Rows_carry_their_one_based_file_line_numbers_across_blank_lines()
    {
        var rows = Rows(Aptos, "id_code,diagnosis\n\na,1\n\n\nb,2\n").ToList();

        Assert.Equal([(3, "a", "1"), (6, "b", "2")], rows);
    }

    [Fact]
    public void Columns_are_found_by_name_in_any_order_among_others()
    {
        var rows = Rows(Aptos, "Diagnosis,site,ID_CODE\n3,x,abc\n0,y,def\n").ToList();

        Assert.Equal([(2, "abc", "3"), (3, "def", "0")], rows);
    }

    [Fact]
    public void Quoted_fields_keep_commas_and_doubled_quotes()
    {
        var rows = Rows(Generic, "key,label,comment\n\"a,b.png\",\"1\",\"x, y\"\n\"say \"\"hi\"\".png\",2,\n").ToList();

        Assert.Equal([(2, "a,b.png", "1"), (3, "say \"hi\".png", "2")], rows);
    }

    [Fact]
    public void Crlf_and_a_byte_order_mark_are_not_part_of_any_cell()
    {
        var rows = Rows(Generic, "\uFEFFkey,label\r\na.png,mild\r\nb.png,3\r\n").ToList();

        Assert.Equal([(2, "a.png", "mild"), (3, "b.png", "3")], rows);
    }

    [Fact]
    public void A_short_row_gives_empty_cells_rather_than_failing()
    {
        var rows = Rows(Generic, "key,label\nonly_key.png\n").ToList();

        Assert.Equal([(2, "only_key.png", "")], rows);
    }

    [Fact]
    public void A_header_without_the_columns_names_the_file_and_the_columns()
    {
        var e = Assert.Throws<InvalidDataException>(() => Rows(Aptos, "\uFEFFid,grade\na,1\n").ToList());

        Assert.Contains("train.csv", e.Message);
        Assert.Contains("id_code", e.Message);
        Assert.Contains("diagnosis", e.Message);
        Assert.DoesNotContain('\uFEFF', e.Message);
    }
}
