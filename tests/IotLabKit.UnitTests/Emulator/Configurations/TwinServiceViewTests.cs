using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.UnitTests.Emulator.Configurations;

/// <summary>
/// The one service document per record that configurations, jobs and queries read: the service shape, built once
/// per record, and a new one for every changed record.
/// </summary>
public sealed class TwinServiceViewTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static (DeviceIdentity, TwinDocument) Sample()
    {
        var identity = new DeviceIdentity
        {
            DeviceId = "d1", GenerationId = "1", ETagCounter = 3, StatusReason = "why",
            Authentication = new DeviceAuthentication { PrimaryKey = "a", SecondaryKey = "b" },
        };
        var twin = TwinDocument.Create(Now)
            .WithServicePatch(new TwinWrite(JsonNode.Parse("""{"env":"test","loc":{"room":1}}""")!.AsObject(),
                JsonNode.Parse("""{"firmware":{"fwVersion":"1.0.1"}}""")!.AsObject()), Now, out _)
            .WithReportedPatch(JsonNode.Parse("""{"firmware":{"currentFwVersion":"1.0.0"}}""")!.AsObject(), Now)
            .WithConfigurations(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("cfg", "Applied")]));
        return (identity, twin);
    }

    [Fact]
    public void The_record_document_is_the_service_twin_with_every_part()
    {
        var (identity, twin) = Sample();
        var record = new DeviceRecord(identity, twin);
        var view = JsonNode.Parse(record.ServiceDocument.GetRawText())!.AsObject();

        Assert.Equal(twin.ToServiceJson(identity).ToJsonString(), view.ToJsonString());
        Assert.Equal("why", (string?)view["statusReason"]);
        Assert.Equal(2, (long)view["properties"]!["desired"]!["$version"]!);
        Assert.Equal(2, (long)view["properties"]!["desired"]!["$metadata"]!["firmware"]!["$lastUpdatedVersion"]!);
        Assert.Equal("1.0.0", (string?)view["properties"]!["reported"]!["firmware"]!["currentFwVersion"]);
        Assert.Equal(1, (long)view["tags"]!["loc"]!["room"]!);
        Assert.Equal("Applied", (string?)view["configurations"]!["cfg"]!["status"]);
        Assert.Equal(["deviceId", "etag", "deviceEtag", "status", "statusReason", "statusUpdateTime", "connectionState", "lastActivityTime",
            "cloudToDeviceMessageCount", "authenticationType", "x509Thumbprint", "modelId", "version", "tags", "properties", "capabilities", "configurations"],
            view.Select(p => p.Key));
    }

    [Fact]
    public void A_changed_record_gets_its_own_document_and_equal_records_stay_equal()
    {
        var (identity, twin) = Sample();
        var record = new DeviceRecord(identity, twin);
        _ = record.ServiceDocument;

        var moved = record with { Identity = identity with { Connected = true } };

        Assert.Equal("Connected", moved.ServiceDocument.GetProperty("connectionState").GetString());
        Assert.Equal("Disconnected", record.ServiceDocument.GetProperty("connectionState").GetString());
        Assert.Equal(record, new DeviceRecord(identity, twin)); // the built document takes no part in equality
    }

    [Fact]
    public void Building_the_document_leaves_the_twin_untouched()
    {
        var (identity, twin) = Sample();
        var before = twin.Desired.Values.ToJsonString();
        _ = new DeviceRecord(identity, twin).ServiceDocument;

        Assert.Equal(before, twin.Desired.Values.ToJsonString());
        Assert.Null(twin.Tags.Parent);
        Assert.False(twin.Desired.Values.ContainsKey("$version"));
        Assert.False(twin.Reported.Values.ContainsKey("$metadata"));
    }
}
