using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IotLabKit.Service.Serialization;

/// <summary>Reads and writes a <see cref="TwinCollection"/> as the JSON object it wraps, bookkeeping included.</summary>
internal sealed class TwinCollectionJsonConverter : JsonConverter<TwinCollection>
{
    public override TwinCollection? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"A twin collection must be a JSON object, not {reader.TokenType}.");
        return new TwinCollection(JsonNode.Parse(ref reader) as JsonObject ?? new JsonObject());
    }

    public override void Write(Utf8JsonWriter writer, TwinCollection value, JsonSerializerOptions options)
        => value.Node.WriteTo(writer, options);
}
