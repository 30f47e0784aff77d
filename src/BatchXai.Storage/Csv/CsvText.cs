using System.Globalization;
using System.Text;

namespace BatchXai.Storage.Csv;

/// <summary>
/// The one CSV writer: RFC 4180 (fields quoted when they hold a comma, quote or line break),
/// numbers in invariant culture, and text cells neutralised against formula injection (the OWASP
/// rule): a text cell starting with =, +, -, @, tab or carriage return gets a leading apostrophe,
/// so that a spreadsheet shows it as text instead of evaluating it (a dataset file named
/// <c>=HYPERLINK(...).png</c> stays a name). Numbers are never prefixed: -0.25 stays a number.
/// </summary>
public sealed class CsvText
{
    private readonly StringBuilder _text = new();

    public CsvText(params string[] header) => Row(header);

    public CsvText Row(params object?[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) _text.Append(',');
            _text.Append(Escape(Cell(fields[i])));
        }
        _text.Append('\n');
        return this;
    }

    private static string Cell(object? field) => field switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        sbyte or byte or short or ushort or int or uint or long or ulong or decimal => ((IFormattable)field).ToString(null, CultureInfo.InvariantCulture),
        // Everything else is text (names, keys, reasons, URIs, JSON), whatever its type.
        IFormattable f => Neutralise(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Neutralise(field.ToString() ?? ""),
    };

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <summary>The characters that make a spreadsheet read a cell as a formula (or, for tab and CR, hide one).</summary>
    public const string FormulaStarts = "=+-@\t\r";

    /// <summary>A text cell as a spreadsheet must show it: with a leading apostrophe when it could start a formula.</summary>
    public static string Neutralise(string text) => text.Length > 0 && FormulaStarts.Contains(text[0]) ? "'" + text : text;

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
