namespace IotLabKit.Device;

/// <summary>
/// A device twin as the device sees it over MQTT: desired and reported properties only (IoT Hub sends the device
/// neither tags nor metadata).
/// </summary>
public sealed class Twin
{
    /// <summary>An empty twin.</summary>
    public Twin() { }

    /// <summary>A twin for <paramref name="deviceId"/>.</summary>
    public Twin(string deviceId) => DeviceId = deviceId;

    /// <summary>The device the twin belongs to.</summary>
    public string? DeviceId { get; set; }

    /// <summary>Desired and reported properties.</summary>
    public TwinProperties Properties { get; set; } = new();

    /// <summary>The twin as JSON: <c>{"deviceId":…,"properties":{"desired":{…},"reported":{…}}}</c>.</summary>
    public string ToJson(bool indented = false)
    {
        var root = new System.Text.Json.Nodes.JsonObject
        {
            ["deviceId"] = DeviceId,
            ["properties"] = new System.Text.Json.Nodes.JsonObject
            {
                ["desired"] = Properties.Desired.Json.DeepClone(),
                ["reported"] = Properties.Reported.Json.DeepClone(),
            },
        };
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = indented });
    }

    /// <inheritdoc cref="ToJson"/>
    public override string ToString() => ToJson();
}

/// <summary>The desired and reported sections of a <see cref="Twin"/>.</summary>
public sealed class TwinProperties
{
    /// <summary>What the back end wants; <see cref="TwinCollection.Version"/> is the desired <c>$version</c>.</summary>
    public TwinCollection Desired { get; set; } = new();

    /// <summary>What the device reported; <see cref="TwinCollection.Version"/> is the reported <c>$version</c>.</summary>
    public TwinCollection Reported { get; set; } = new();
}
