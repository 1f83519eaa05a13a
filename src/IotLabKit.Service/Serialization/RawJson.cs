using System.Text.Json;

namespace IotLabKit.Service.Serialization;

/// <summary>
/// JSON values kept as the text they arrived in. Method payloads pass through the service untouched, so what the
/// device sent is what the caller reads — no re-encoding of non-ASCII characters, no reordering.
/// </summary>
internal static class RawJson
{
    /// <summary>Reads the current value as its JSON text; null for a JSON null.</summary>
    public static string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    /// <summary>Writes JSON text as a value (null as a JSON null); the writer checks that it is one value.</summary>
    public static void Write(Utf8JsonWriter writer, string? json)
    {
        if (json is null) writer.WriteNullValue();
        else writer.WriteRawValue(json);
    }

    /// <summary>Checks that <paramref name="json"/> is exactly one JSON value; returns it trimmed.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static string Validate(string json, string parameterName)
    {
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException(
                $"The payload is not valid JSON ({ex.Message}). A JSON string needs double quotes, for example \"\\\"On\\\"\".", parameterName, ex);
        }
        return json.Trim();
    }

    /// <summary>Reads a member name case-insensitively against the expected one.</summary>
    public static bool Is(string? propertyName, string expected)
        => string.Equals(propertyName, expected, StringComparison.OrdinalIgnoreCase);
}
