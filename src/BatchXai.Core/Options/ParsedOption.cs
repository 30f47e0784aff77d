namespace BatchXai.Core.Options;

/// <summary>
/// A value with its own syntax ("center,width"), parsed by <paramref name="Parser"/>, which throws
/// an ArgumentException saying what is wrong; unset, it reads as <paramref name="Default"/>.
/// </summary>
/// <param name="DefaultText">The default as users see it ("the file's own window").</param>
/// <param name="RangeText">The syntax as users see it ("center,width").</param>
public sealed record ParsedOption<T>(string Name, string Help, T Default, string DefaultText, string RangeText, Func<string, T> Parser) : OptionSpec(Name, Help)
{
    public override string DefaultText { get; } = DefaultText;
    public override string RangeText { get; } = RangeText;
    public override void Check(string text) => Parse(text);

    public T Parse(string text)
    {
        try
        {
            return Parser(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"option --{Name}: {e.Message}", e);
        }
    }
}
