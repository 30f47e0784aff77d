using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchXai.Core.Options;

/// <summary>
/// One run option, declared once where it is read (a method, the metrics, the input pipeline):
/// its flag name, help, default and valid range. The CLI flags of <c>run</c> and <c>submit</c>, the
/// HTTP API's validation and README's option table are all built from these declarations.
/// </summary>
public abstract partial record OptionSpec(string Name, string Help)
{
    /// <summary>The default as users see it in help and README ("32", "trapezoid").</summary>
    public abstract string DefaultText { get; }

    /// <summary>The valid values as users see them ("1–1024", "black, zeros, blur, noise").</summary>
    public abstract string RangeText { get; }

    /// <summary>Throws an ArgumentException naming the option when <paramref name="text"/> is not a valid value.</summary>
    public abstract void Check(string text);

    protected ArgumentException Invalid(string text, string must) => new($"option --{Name} is '{text}' but must be {must}");

    protected static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"GaussLegendre" → "gauss-legendre".</summary>
    public static string Kebab(string pascal) => WordStart().Replace(pascal, "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex WordStart();
}

/// <summary>A whole number in [Min, Max].</summary>
public sealed record IntOption(string Name, string Help, int Default, int Min, int Max) : OptionSpec(Name, Help)
{
    public override string DefaultText => Default.ToString(CultureInfo.InvariantCulture);
    public override string RangeText => $"{Min}–{Max}";
    public override void Check(string text) => Parse(text);

    public int Parse(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= Min && value <= Max
            ? value
            : throw Invalid(text, $"a whole number from {Min} to {Max}");
}

/// <summary>A real number in [Min, Max].</summary>
public sealed record NumberOption(string Name, string Help, double Default, double Min, double Max) : OptionSpec(Name, Help)
{
    public override string DefaultText => Format(Default);
    public override string RangeText => $"{Format(Min)}–{Format(Max)}";
    public override void Check(string text) => Parse(text);

    public double Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= Min && value <= Max
            ? value
            : throw Invalid(text, $"a number from {Format(Min)} to {Format(Max)}");
}

/// <summary>One value of an enum, by its kebab-case name ("gauss-legendre" → GaussLegendre).</summary>
public sealed record ChoiceOption<T>(string Name, string Help, T Default) : OptionSpec(Name, Help) where T : struct, Enum
{
    public override string DefaultText => Kebab(Default.ToString());
    public override string RangeText => string.Join(", ", Enum.GetNames<T>().Select(Kebab));
    public override void Check(string text) => Parse(text);

    public T Parse(string text) =>
        !text.Any(char.IsDigit) && Enum.TryParse<T>(text.Replace("-", ""), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw Invalid(text, $"one of: {RangeText}");
}
