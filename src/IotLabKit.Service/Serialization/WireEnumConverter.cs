using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IotLabKit.Service.Serialization;

/// <summary>
/// Writes an enum as IoT Hub's wire string (from <see cref="JsonStringEnumMemberNameAttribute"/>, else the member
/// name) and reads it case-insensitively, as Microsoft's clients do: the hub is not consistent in its casing
/// (<c>enabled</c> but <c>Connected</c>), and other tools write either. Integers are accepted too.
/// </summary>
internal sealed class WireEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> WireNames = typeof(TEnum)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToDictionary(f => (TEnum)f.GetValue(null)!, f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

    private static readonly Dictionary<string, TEnum> ByName = BuildLookup();

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) && Enum.IsDefined(typeof(TEnum), number))
            return (TEnum)Enum.ToObject(typeof(TEnum), number);
        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } text && ByName.TryGetValue(text.Trim(), out var value))
            return value;
        throw new JsonException(
            $"'{(reader.TokenType == JsonTokenType.String ? reader.GetString() : reader.TokenType.ToString())}' is not a {typeof(TEnum).Name}; expected one of {string.Join(", ", WireNames.Values)}.");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        => writer.WriteStringValue(WireNames.TryGetValue(value, out var name) ? name : value.ToString());

    private static Dictionary<string, TEnum> BuildLookup()
    {
        var lookup = new Dictionary<string, TEnum>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, wire) in WireNames)
        {
            lookup.TryAdd(wire, value);
            lookup.TryAdd(value.ToString(), value);
        }
        return lookup;
    }
}
