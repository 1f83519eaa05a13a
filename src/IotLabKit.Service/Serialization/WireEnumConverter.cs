using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IotLabKit.Service.Serialization;

/// <summary>
/// Writes an enum as IoT Hub's wire string (from <see cref="JsonStringEnumMemberNameAttribute"/>, else the member
/// name) and reads it case-insensitively, as Microsoft's clients do: the hub is not consistent in its casing
/// (<c>enabled</c> but <c>Connected</c>), and other tools write either. Integers are accepted too, and so are the
/// other spellings a member lists in <see cref="WireAliasAttribute"/>. A string that names no member is an error,
/// unless the enum marks a member with <see cref="WireUnknownAttribute"/>: then it reads as that member, so one new
/// value the hub starts sending does not make a whole list unreadable.
/// </summary>
internal sealed class WireEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FieldInfo[] Fields = typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static);

    private static readonly Dictionary<TEnum, string> WireNames = Fields
        .ToDictionary(f => (TEnum)f.GetValue(null)!, f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

    private static readonly Dictionary<string, TEnum> ByName = BuildLookup();

    private static readonly TEnum? Unknown = Fields
        .Where(f => f.GetCustomAttribute<WireUnknownAttribute>() is not null)
        .Select(f => (TEnum?)(TEnum)f.GetValue(null)!)
        .FirstOrDefault();

    /// <summary>The wire string of a value (as written in bodies and query strings).</summary>
    public static string ToWireString(TEnum value) => WireNames.TryGetValue(value, out var name) ? name : value.ToString();

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) && Enum.IsDefined(typeof(TEnum), number))
            return (TEnum)Enum.ToObject(typeof(TEnum), number);
        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } text)
        {
            if (ByName.TryGetValue(text.Trim(), out var value)) return value;
            if (Unknown is { } unknown) return unknown;
        }
        throw new JsonException(
            $"'{(reader.TokenType == JsonTokenType.String ? reader.GetString() : reader.TokenType.ToString())}' is not a {typeof(TEnum).Name}; expected one of {string.Join(", ", WireNames.Values)}.");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        => writer.WriteStringValue(ToWireString(value));

    private static Dictionary<string, TEnum> BuildLookup()
    {
        var lookup = new Dictionary<string, TEnum>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, wire) in WireNames)
        {
            lookup.TryAdd(wire, value);
            lookup.TryAdd(value.ToString(), value);
        }
        foreach (var field in Fields)
            foreach (var alias in field.GetCustomAttributes<WireAliasAttribute>())
                lookup.TryAdd(alias.Name, (TEnum)field.GetValue(null)!);
        return lookup;
    }
}

/// <summary>Another spelling of an enum member that is read as that member (never written).</summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = true)]
internal sealed class WireAliasAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks the member that strings naming no member are read as.</summary>
[AttributeUsage(AttributeTargets.Field)]
internal sealed class WireUnknownAttribute : Attribute
{
}
