namespace BatchXai.Core.Options;

/// <summary>
/// A comma-separated list of a [Flags] enum's values by kebab-case name ("deletion,road"), or
/// "none"; the default is none. <paramref name="Aliases"/> are other spellings users may type.
/// </summary>
public sealed record FlagsOption<T>(string Name, string Help, IReadOnlyDictionary<string, T>? Aliases = null) : OptionSpec(Name, Help) where T : struct, Enum
{
    public override string DefaultText => "none";
    public override string RangeText => "comma-separated: " + string.Join(", ", Names);
    public override void Check(string text) => Parse(text);

    private IEnumerable<string> Names => Enum.GetValues<T>().Where(v => Convert.ToInt64(v) != 0).Select(v => Kebab(v.ToString()));

    public T Parse(string text)
    {
        long flags = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return default;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var value = Aliases is not null && Aliases.TryGetValue(name.ToLowerInvariant(), out var alias) ? alias
                : Enum.GetValues<T>().FirstOrDefault(v => Convert.ToInt64(v) != 0 && Kebab(v.ToString()).Equals(name, StringComparison.OrdinalIgnoreCase));
            if (Convert.ToInt64(value) == 0) throw new ArgumentException($"option --{Name} names '{name}' but must list: {string.Join(", ", Names)}");
            flags |= Convert.ToInt64(value);
        }
        return (T)Enum.ToObject(typeof(T), flags);
    }
}
