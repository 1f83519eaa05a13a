using System.Text.Json;
using System.Text.Json.Serialization;

namespace IotLabKit.Service.Serialization;

/// <summary>
/// JSON values as plain .NET values — <see cref="string"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, null, <c>Dictionary&lt;string, object?&gt;</c> and <c>object?[]</c> — for maps whose
/// values can be anything (configuration content). Plain values read well in PowerShell and serialize back as they came.
/// </summary>
internal static class PlainJson
{
    public static object? ReadValue(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetInt64(out var l) ? (object)l : reader.GetDouble(),
        JsonTokenType.StartObject => ReadObject(ref reader),
        JsonTokenType.StartArray => ReadArray(ref reader),
        _ => throw new JsonException($"Unexpected {reader.TokenType}."),
    };

    public static Dictionary<string, object?> ReadObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"Expected a JSON object, not {reader.TokenType}.");
        var result = new Dictionary<string, object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            result[name] = ReadValue(ref reader);
        }
        return result;
    }

    private static object?[] ReadArray(ref Utf8JsonReader reader)
    {
        var items = new List<object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) items.Add(ReadValue(ref reader));
        return items.ToArray();
    }

    public static void WriteObject(Utf8JsonWriter writer, IDictionary<string, object?> map, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map)
        {
            writer.WritePropertyName(name);
            if (value is null) writer.WriteNullValue();
            else JsonSerializer.Serialize(writer, value, value.GetType(), options);
        }
        writer.WriteEndObject();
    }
}

/// <summary>A map of anything (twin path → value), read as plain values.</summary>
internal sealed class PlainJsonMapConverter : JsonConverter<IDictionary<string, object?>>
{
    public override IDictionary<string, object?>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.Null ? null : PlainJson.ReadObject(ref reader);

    public override void Write(Utf8JsonWriter writer, IDictionary<string, object?> value, JsonSerializerOptions options)
        => PlainJson.WriteObject(writer, value, options);
}

/// <summary>A map of maps of anything (module → twin path → value), read as plain values.</summary>
internal sealed class PlainJsonMapOfMapsConverter : JsonConverter<IDictionary<string, IDictionary<string, object?>>>
{
    public override IDictionary<string, IDictionary<string, object?>>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"Expected a JSON object, not {reader.TokenType}.");
        var result = new Dictionary<string, IDictionary<string, object?>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            result[name] = reader.TokenType == JsonTokenType.Null ? new Dictionary<string, object?>() : PlainJson.ReadObject(ref reader);
        }
        return result;
    }

    public override void Write(Utf8JsonWriter writer, IDictionary<string, IDictionary<string, object?>> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, map) in value)
        {
            writer.WritePropertyName(name);
            PlainJson.WriteObject(writer, map ?? new Dictionary<string, object?>(), options);
        }
        writer.WriteEndObject();
    }
}
