using BatchXai.Coordinator.Datasets;

namespace BatchXai.Tests.Datasets;

/// <summary>Reading label rows out of a label file's text, independent of any store.</summary>
public sealed class LabelFileParsingTests
{
    private static readonly LabelFileFormat Aptos = LabelFileFormat.Known.Single(f => f.FileName == "train.csv");
    private static readonly LabelFileFormat Generic = LabelFileFormat.Known.Single(f => f.FileName == "labels.csv");

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
        var rows = LabelFileFormat.Parse(Aptos, "id_code,diagnosis\n\na,1\n\n\nb,2\n").ToList();

        Assert.Equal([(3, "a", "1"), (6, "b", "2")], rows);
    }

    [Fact]
    public void Columns_are_found_by_name_in_any_order_among_others()
    {
        var rows = LabelFileFormat.Parse(Aptos, "Diagnosis,site,ID_CODE\n3,x,abc\n0,y,def\n").ToList();

        Assert.Equal([(2, "abc", "3"), (3, "def", "0")], rows);
    }

    [Fact]
    public void Quoted_fields_keep_commas_and_doubled_quotes()
    {
        var rows = LabelFileFormat.Parse(Generic, "key,label,comment\n\"a,b.png\",\"1\",\"x, y\"\n\"say \"\"hi\"\".png\",2,\n").ToList();

        Assert.Equal([(2, "a,b.png", "1"), (3, "say \"hi\".png", "2")], rows);
    }

    [Fact]
    public void Crlf_and_a_byte_order_mark_are_not_part_of_any_cell()
    {
        var rows = LabelFileFormat.Parse(Generic, "\uFEFFkey,label\r\na.png,mild\r\nb.png,3\r\n").ToList();

        Assert.Equal([(2, "a.png", "mild"), (3, "b.png", "3")], rows);
    }

    [Fact]
    public void A_short_row_gives_empty_cells_rather_than_failing()
    {
        var rows = LabelFileFormat.Parse(Generic, "key,label\nonly_key.png\n").ToList();

        Assert.Equal([(2, "only_key.png", "")], rows);
    }

    [Fact]
    public void A_header_without_the_columns_names_the_file_and_the_columns()
    {
        var e = Assert.Throws<InvalidDataException>(() => LabelFileFormat.Parse(Aptos, "\uFEFFid,grade\na,1\n").ToList());

        Assert.Contains("train.csv", e.Message);
        Assert.Contains("id_code", e.Message);
        Assert.Contains("diagnosis", e.Message);
        Assert.DoesNotContain('\uFEFF', e.Message);
    }
}
