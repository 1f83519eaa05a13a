using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;

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

    [Fact]
    public void A_stored_twin_reads_from_its_service_document_and_takes_writes_as_before()
    {
        var (identity, twin) = Sample();
        using var hub = new HubState(new InMemoryHubStore(), TimeProvider.System);
        hub.Write(tx => { tx.Put(new DeviceRecord(identity, twin)); return 0; });
        var stored = hub.Read(v => v.Find("d1")!);

        // The stored twin shows the same parts as the twin that was put, section by section.
        Assert.Equal(twin.Tags.ToJsonString(), stored.Twin.Tags.ToJsonString());
        Assert.Equal("""{"firmware":{"fwVersion":"1.0.1"}}""", stored.Twin.Desired.Values.ToJsonString());
        Assert.Equal(twin.Desired.Metadata.ToJsonString(), stored.Twin.Desired.Metadata.ToJsonString());
        Assert.Equal(twin.Reported.ToDeviceJson().ToJsonString(), stored.Twin.Reported.ToDeviceJson().ToJsonString());
        Assert.Equal(twin.ToServiceJson(identity).ToJsonString(), stored.Twin.ToServiceJson(identity).ToJsonString());

        // Writes on the stored twin merge exactly as on any other.
        var patch = JsonNode.Parse("""{"firmware":{"fwVersion":null,"channel":"beta"},"mode":1}""")!.AsObject();
        var expected = twin.WithServicePatch(new TwinWrite(null, patch), Now, out _);
        var actual = stored.Twin.WithServicePatch(new TwinWrite(null, (JsonObject)patch.DeepClone()), Now, out _);
        Assert.Equal(expected.ToServiceJson(identity).ToJsonString(), actual.ToServiceJson(identity).ToJsonString());
        Assert.Equal("""{"firmware":{"channel":"beta"},"mode":1}""", actual.Desired.Values.ToJsonString());
        Assert.Equal(3, actual.Desired.Version);
    }

    [Fact]
    public void Reading_a_stored_twin_gives_new_nodes_that_change_nothing()
    {
        var (identity, twin) = Sample();
        var stored = new DeviceRecord(identity, twin).Settled();

        var tags = stored.Twin.Tags;
        tags["env"] = "changed";
        stored.Twin.Desired.Values.Remove("firmware");
        stored.Twin.Reported.Metadata["x"] = 1;

        Assert.Equal("test", (string?)stored.Twin.Tags["env"]);
        Assert.True(stored.Twin.Desired.Values.ContainsKey("firmware"));
        Assert.False(stored.Twin.Reported.Metadata.ContainsKey("x"));
        Assert.Equal(twin.ToServiceJson(identity).ToJsonString(), JsonObject.Create(stored.ServiceDocument)!.ToJsonString());
    }
}
