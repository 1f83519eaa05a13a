using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// A direct method to invoke on a device or module: its name, an optional JSON payload and the two timeouts. The
/// same object describes the method of a scheduled method job (<see cref="JobClient.ScheduleDeviceMethodAsync(string, string, CloudToDeviceMethod, DateTime, long, CancellationToken)"/>).
/// </summary>
[JsonConverter(typeof(CloudToDeviceMethodJsonConverter))]
public sealed class CloudToDeviceMethod
{
    private string _methodName;

    /// <summary>A method with the hub's default timeouts (30 s to answer; the device must already be connected).</summary>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public CloudToDeviceMethod(string methodName)
        : this(methodName, TimeSpan.Zero, TimeSpan.Zero)
    {
    }

    /// <summary>A method with a response timeout (the device must already be connected).</summary>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public CloudToDeviceMethod(string methodName, TimeSpan responseTimeout)
        : this(methodName, responseTimeout, TimeSpan.Zero)
    {
    }

    /// <summary>A method with both timeouts.</summary>
    /// <param name="methodName">The method's name, as the device registered it (case-sensitive).</param>
    /// <param name="responseTimeout">How long the hub waits for the device's answer (5–300 s; zero or less = the hub's default, 30 s).</param>
    /// <param name="connectionTimeout">How long the hub waits for the device to connect (up to 300 s; zero or less = it must be connected now).</param>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public CloudToDeviceMethod(string methodName, TimeSpan responseTimeout, TimeSpan connectionTimeout)
    {
        _methodName = RequireName(methodName, nameof(methodName));
        ResponseTimeout = responseTimeout;
        ConnectionTimeout = connectionTimeout;
    }

    /// <summary>The method's name, as the device registered it (case-sensitive).</summary>
    /// <exception cref="ArgumentException">Set to an empty or white-space name.</exception>
    public string MethodName
    {
        get => _methodName;
        set => _methodName = RequireName(value, nameof(value));
    }

    /// <summary>How long the hub waits for the device's answer; zero or less leaves it to the hub (30 s).</summary>
    public TimeSpan ResponseTimeout { get; set; }

    /// <summary>How long the hub waits for an offline device to connect; zero or less means it must be connected now.</summary>
    public TimeSpan ConnectionTimeout { get; set; }

    /// <summary>The payload as JSON text, or null when there is none.</summary>
    internal string? PayloadJson { get; private set; }

    /// <summary>
    /// Sets the payload: any JSON value (<c>{"delay":5}</c>, <c>10</c>, <c>"\"On\""</c>), or null for none. The text is
    /// sent as written.
    /// </summary>
    /// <returns>This method, so calls can be chained.</returns>
    /// <exception cref="ArgumentException">The text is not one valid JSON value.</exception>
    public CloudToDeviceMethod SetPayloadJson(string? json)
    {
        PayloadJson = json is null ? null : RawJson.Validate(json, nameof(json));
        return this;
    }

    /// <summary>The payload as JSON text, or null when there is none.</summary>
    public string? GetPayloadAsJson() => PayloadJson;

    /// <summary>The response timeout in whole seconds as sent (rounded up), or null to leave it to the hub.</summary>
    internal int? ResponseTimeoutInSeconds => Seconds(ResponseTimeout);

    /// <summary>The connection timeout in whole seconds as sent (rounded up), or null to leave it to the hub.</summary>
    internal int? ConnectionTimeoutInSeconds => Seconds(ConnectionTimeout);

    /// <summary>The hub's response timeout when none is given.</summary>
    internal static TimeSpan DefaultResponseTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the hub will wait for the device's answer, this method's timeout or the hub's default.</summary>
    internal int EffectiveResponseTimeoutInSeconds => ResponseTimeoutInSeconds ?? (int)DefaultResponseTimeout.TotalSeconds;

    /// <summary>The method as its JSON body.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ServiceJson.Options);

    /// <inheritdoc />
    public override string ToString() => ToJson();

    private static int? Seconds(TimeSpan timeout)
        => timeout <= TimeSpan.Zero ? null : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalSeconds));

    private static string RequireName(string? name, string parameterName)
        => string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("The method name must not be empty.", parameterName) : name;

    /// <summary>
    /// The hub's shape: <c>{"methodName","payload","responseTimeoutInSeconds","connectTimeoutInSeconds"}</c>. The
    /// payload is always written (null when unset) and timeouts only when positive, as Microsoft's client does, so
    /// the hub applies its defaults.
    /// </summary>
    private sealed class CloudToDeviceMethodJsonConverter : JsonConverter<CloudToDeviceMethod>
    {
        public override CloudToDeviceMethod? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"A direct method must be a JSON object, not {reader.TokenType}.");
            string? name = null, payload = null;
            int? response = null, connect = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var property = reader.GetString();
                reader.Read();
                if (RawJson.Is(property, "methodName")) name = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                else if (RawJson.Is(property, "payload")) payload = RawJson.Read(ref reader);
                else if (RawJson.Is(property, "responseTimeoutInSeconds")) response = ReadSeconds(ref reader);
                else if (RawJson.Is(property, "connectTimeoutInSeconds")) connect = ReadSeconds(ref reader);
                else reader.Skip();
            }
            if (string.IsNullOrWhiteSpace(name)) throw new JsonException("The direct method has no methodName.");
            return new CloudToDeviceMethod(name, TimeSpan.FromSeconds(response ?? 0), TimeSpan.FromSeconds(connect ?? 0)) { PayloadJson = payload };
        }

        public override void Write(Utf8JsonWriter writer, CloudToDeviceMethod value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("methodName", value.MethodName);
            writer.WritePropertyName("payload");
            RawJson.Write(writer, value.PayloadJson);
            if (value.ResponseTimeoutInSeconds is { } response) writer.WriteNumber("responseTimeoutInSeconds", response);
            if (value.ConnectionTimeoutInSeconds is { } connect) writer.WriteNumber("connectTimeoutInSeconds", connect);
            writer.WriteEndObject();
        }

        private static int? ReadSeconds(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetInt32(),
            JsonTokenType.String when int.TryParse(reader.GetString(), out var n) => n,
            _ => null,
        };
    }
}
