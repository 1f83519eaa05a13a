using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// What the device answered to a direct method: its own status code (200, 400, 404, 500 … as the device chose;
/// the HTTP call itself succeeded) and its JSON payload.
/// </summary>
[JsonConverter(typeof(CloudToDeviceMethodResultJsonConverter))]
public sealed class CloudToDeviceMethodResult
{
    /// <summary>The status the device's handler returned.</summary>
    public int Status { get; set; }

    /// <summary>
    /// The payload as the device sent it, parsed afresh on each read (changing the node does not change the
    /// result; set this property instead); null when there is none.
    /// </summary>
    public JsonNode? Payload
    {
        get => PayloadJson is null ? null : JsonNode.Parse(PayloadJson);
        set => PayloadJson = value?.ToJsonString(ServiceJson.Options);
    }

    /// <summary>The payload as JSON text, or null when there is none.</summary>
    internal string? PayloadJson { get; set; }

    /// <summary>The payload as JSON text exactly as the device sent it, or null when there is none.</summary>
    public string? GetPayloadAsJson() => PayloadJson;

    /// <summary>The result as JSON (<c>{"status":…,"payload":…}</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ServiceJson.Options);

    /// <inheritdoc />
    public override string ToString() => ToJson();

    /// <summary>Reads and writes <c>{"status":200,"payload":…}</c>, keeping the payload's text as it came.</summary>
    private sealed class CloudToDeviceMethodResultJsonConverter : JsonConverter<CloudToDeviceMethodResult>
    {
        public override CloudToDeviceMethodResult? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"A method result must be a JSON object, not {reader.TokenType}.");
            var result = new CloudToDeviceMethodResult();
            var sawStatus = false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var property = reader.GetString();
                reader.Read();
                if (RawJson.Is(property, "status") && reader.TokenType == JsonTokenType.Number)
                {
                    result.Status = reader.GetInt32();
                    sawStatus = true;
                }
                else if (RawJson.Is(property, "payload")) result.PayloadJson = RawJson.Read(ref reader);
                else reader.Skip();
            }
            if (!sawStatus) throw new JsonException("The method result has no numeric status.");
            return result;
        }

        public override void Write(Utf8JsonWriter writer, CloudToDeviceMethodResult value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("status", value.Status);
            writer.WritePropertyName("payload");
            RawJson.Write(writer, value.PayloadJson);
            writer.WriteEndObject();
        }
    }
}
