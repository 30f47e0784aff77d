using System.Globalization;
using System.Text;

namespace BatchXai.Aggregator;

/// <summary>RFC 4180 CSV: fields quoted when they hold a comma, quote or line break; numbers in invariant culture.</summary>
public sealed class CsvText
{
    private readonly StringBuilder _text = new();

    public CsvText(params string[] header) => Row(header);

    public CsvText Row(params object?[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) _text.Append(',');
            _text.Append(Escape(fields[i] switch
            {
                null => "",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                float f => f.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var o => o.ToString() ?? "",
            }));
        }
        _text.Append('\n');
        return this;
    }

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
