using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// The stored form of a <see cref="DeviceRecord"/>: identity and twin in one JSON document, counters kept as
/// numbers. Connection state is not stored: after a restart no device is connected.
/// </summary>
public static class DeviceRecordSerializer
{
    /// <summary>Writes a record.</summary>
    public static string Serialize(DeviceRecord record)
    {
        var id = record.Identity;
        var twin = record.Twin;
        var json = new JsonObject
        {
            ["identity"] = new JsonObject
            {
                ["deviceId"] = id.DeviceId,
                ["generationId"] = id.GenerationId,
                ["etagCounter"] = id.ETagCounter,
                ["connectionStateUpdatedTime"] = WireTime.Format(id.ConnectionStateUpdatedTime),
                ["status"] = DeviceJson.WireName(id.Status),
                ["statusReason"] = id.StatusReason,
                ["statusUpdatedTime"] = WireTime.Format(id.StatusUpdatedTime),
                ["lastActivityTime"] = WireTime.Format(id.LastActivityTime),
                ["cloudToDeviceMessageCount"] = id.CloudToDeviceMessageCount,
                ["authentication"] = new JsonObject
                {
                    ["type"] = DeviceJson.WireName(id.Authentication.Type),
                    ["primaryKey"] = id.Authentication.PrimaryKey,
                    ["secondaryKey"] = id.Authentication.SecondaryKey,
                    ["primaryThumbprint"] = id.Authentication.PrimaryThumbprint,
                    ["secondaryThumbprint"] = id.Authentication.SecondaryThumbprint,
                },
                ["iotEdge"] = id.IotEdge,
            },
            ["twin"] = new JsonObject
            {
                ["etagCounter"] = twin.ETagCounter,
                ["version"] = twin.Version,
                ["modelId"] = twin.ModelId,
                ["tags"] = twin.Tags.DeepClone(),
                ["desired"] = WriteSection(twin.Desired),
                ["reported"] = WriteSection(twin.Reported),
            },
        };
        if (!twin.Configurations.IsEmpty)
        {
            var configurations = new JsonObject();
            foreach (var (configurationId, status) in twin.Configurations) configurations[configurationId] = status;
            json["twin"]!["configurations"] = configurations;
        }
        return HubJson.Write(json);
    }

    /// <summary>Reads a record written by <see cref="Serialize"/>.</summary>
    public static DeviceRecord Deserialize(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var id = root["identity"]!.AsObject();
        var auth = id["authentication"]!.AsObject();
        var typeName = (string?)auth["type"] ?? "sas";
        var identity = new DeviceIdentity
        {
            DeviceId = (string)id["deviceId"]!,
            GenerationId = (string)id["generationId"]!,
            ETagCounter = (long)id["etagCounter"]!,
            ConnectionStateUpdatedTime = WireTime.Parse((string?)id["connectionStateUpdatedTime"]),
            Status = (string?)id["status"] == "disabled" ? DeviceStatus.Disabled : DeviceStatus.Enabled,
            StatusReason = (string?)id["statusReason"],
            StatusUpdatedTime = WireTime.Parse((string?)id["statusUpdatedTime"]),
            LastActivityTime = WireTime.Parse((string?)id["lastActivityTime"]),
            CloudToDeviceMessageCount = (int?)id["cloudToDeviceMessageCount"] ?? 0,
            Authentication = new DeviceAuthentication
            {
                Type = Enum.GetValues<AuthenticationType>().First(t => DeviceJson.WireName(t) == typeName),
                PrimaryKey = (string?)auth["primaryKey"],
                SecondaryKey = (string?)auth["secondaryKey"],
                PrimaryThumbprint = (string?)auth["primaryThumbprint"],
                SecondaryThumbprint = (string?)auth["secondaryThumbprint"],
            },
            IotEdge = (bool?)id["iotEdge"] ?? false,
        };
        var t = root["twin"]!.AsObject();
        var twin = new TwinDocument
        {
            ETagCounter = (long)t["etagCounter"]!,
            Version = (long)t["version"]!,
            ModelId = (string?)t["modelId"] ?? "",
            Tags = Materialize(t["tags"]),
            Desired = ReadSection(t["desired"]!.AsObject()),
            Reported = ReadSection(t["reported"]!.AsObject()),
        };
        if (t["configurations"] is JsonObject configurations)
        {
            twin = twin with
            {
                Configurations = configurations.ToImmutableSortedDictionary(c => c.Key, c => (string)c.Value!, StringComparer.Ordinal),
            };
        }
        return new DeviceRecord(identity, twin);
    }

    private static JsonObject WriteSection(TwinSection section) => new()
    {
        ["values"] = section.Values.DeepClone(),
        ["metadata"] = section.Metadata.DeepClone(),
        ["version"] = section.Version,
    };

    private static TwinSection ReadSection(JsonObject json)
        => new(Materialize(json["values"]), Materialize(json["metadata"]), (long)json["version"]!);

    // Detached copies: a node can belong to one parent only, and the record must not keep the parsed root alive.
    private static JsonObject Materialize(JsonNode? node) => node is JsonObject obj ? (JsonObject)obj.DeepClone() : new JsonObject();
}
