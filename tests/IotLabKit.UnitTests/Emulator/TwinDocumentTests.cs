using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public class TwinDocumentTests
{
    private static readonly DateTimeOffset Created = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Created.AddMinutes(5);

    private static TwinWrite Write(string json) => TwinWrite.Parse(JsonNode.Parse(json)!.AsObject());

    private static readonly DeviceIdentity Device = new()
    {
        DeviceId = "d1",
        GenerationId = "1",
        ETagCounter = 7,
        Authentication = new DeviceAuthentication { PrimaryKey = "k", SecondaryKey = "k" },
    };

    [Fact]
    public void A_new_twin_looks_like_the_real_hubs()
    {
        var json = TwinDocument.Create(Created).ToServiceJson(Device);
        Assert.Equal("AAAAAAAAAAE=", (string?)json["etag"]);
        Assert.Equal(2, (long)json["version"]!);
        Assert.Equal(1, (long)json["properties"]!["desired"]!["$version"]!);
        Assert.Equal(1, (long)json["properties"]!["reported"]!["$version"]!);
        Assert.Equal(WireTime.Format(Created), (string?)json["properties"]!["desired"]!["$metadata"]!["$lastUpdated"]);
        Assert.Equal(ETags.ForDevice(7), (string?)json["deviceEtag"]);
        Assert.Equal("Disconnected", (string?)json["connectionState"]);
        Assert.Equal("sas", (string?)json["authenticationType"]);
    }

    [Fact]
    public void A_desired_patch_moves_desired_version_twin_version_and_etag()
    {
        var twin = TwinDocument.Create(Created);
        var next = twin.WithServicePatch(Write("""{"properties":{"desired":{"speed":10}}}"""), Later, out var change);
        Assert.Equal(2, next.Desired.Version);
        Assert.Equal(1, next.Reported.Version);
        Assert.Equal(twin.Version + 1, next.Version);
        Assert.NotEqual(twin.ETag, next.ETag);
        Assert.NotNull(change);
        Assert.Equal(2, change!.Version);
        Assert.Equal("""{"speed":10,"$version":2}""", change.Patch.ToJsonString());
    }

    [Fact]
    public void A_tags_only_patch_leaves_desired_alone_and_raises_no_change()
    {
        var twin = TwinDocument.Create(Created);
        var next = twin.WithServicePatch(Write("""{"tags":{"env":"lab"},"properties":{"desired":{}}}"""), Later, out var change);
        Assert.Null(change);
        Assert.Equal(1, next.Desired.Version);
        Assert.Equal("lab", (string?)next.Tags["env"]);
        Assert.NotEqual(twin.ETag, next.ETag);
    }

    [Fact]
    public void Service_writes_ignore_reported_identity_and_dollar_members()
    {
        var twin = TwinDocument.Create(Created);
        var next = twin.WithServicePatch(Write("""
            {"deviceId":"other","etag":"xyz","version":99,"status":"disabled",
             "properties":{"desired":{"a":1,"$metadata":{"$lastUpdated":"x"},"$version":42},"reported":{"r":1}}}
            """), Later, out _);
        Assert.Equal("""{"a":1}""", next.Desired.Values.ToJsonString());
        Assert.Equal(2, next.Desired.Version);
        Assert.Empty(next.Reported.Values);
    }

    [Fact]
    public void Replace_swaps_tags_and_desired_wholesale_and_keeps_what_the_body_lacks()
    {
        var twin = TwinDocument.Create(Created)
            .WithServicePatch(Write("""{"tags":{"a":1,"b":2},"properties":{"desired":{"x":1,"y":2}}}"""), Later, out _);
        var replacedDesired = twin.WithServiceReplace(Write("""{"properties":{"desired":{"z":3}}}"""), Later, out var change);
        Assert.Equal("""{"z":3}""", replacedDesired.Desired.Values.ToJsonString());
        Assert.Equal("""{"a":1,"b":2}""", replacedDesired.Tags.ToJsonString());
        Assert.False(replacedDesired.Desired.Metadata.ContainsKey("x"));
        Assert.Equal(3, replacedDesired.Desired.Version);
        Assert.Equal("""{"z":3,"$version":3}""", change!.Patch.ToJsonString());

        var replacedTags = twin.WithServiceReplace(Write("""{"tags":{"c":3}}"""), Later, out var none);
        Assert.Equal("""{"c":3}""", replacedTags.Tags.ToJsonString());
        Assert.Equal(twin.Desired.Version, replacedTags.Desired.Version);
        Assert.Null(none);
    }

    [Fact]
    public void A_rejected_write_changes_nothing()
    {
        var twin = TwinDocument.Create(Created)
            .WithServicePatch(Write("""{"properties":{"desired":{"ok":1}}}"""), Later, out _);
        var before = twin.ToServiceJson(Device).ToJsonString();
        var ex = Assert.Throws<HubException>(() =>
            twin.WithServicePatch(Write("""{"properties":{"desired":{"ok":2,"bad.key":1}}}"""), Later, out _));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.Code);
        Assert.Equal(before, twin.ToServiceJson(Device).ToJsonString());
    }

    [Fact]
    public void Reported_patches_move_reported_version_and_etag_with_no_lastUpdatedVersion()
    {
        var twin = TwinDocument.Create(Created);
        var next = twin.WithReportedPatch(JsonNode.Parse("""{"fw":{"v":"2"}}""")!.AsObject(), Later);
        Assert.Equal(2, next.Reported.Version);
        Assert.Equal(1, next.Desired.Version);
        Assert.NotEqual(twin.ETag, next.ETag);
        Assert.False(next.Reported.Metadata["fw"]!["v"]!.AsObject().ContainsKey("$lastUpdatedVersion"));
    }

    [Fact]
    public void Reported_keys_starting_with_dollar_fail_the_whole_patch()
    {
        var twin = TwinDocument.Create(Created);
        Assert.Throws<HubException>(() => twin.WithReportedPatch(JsonNode.Parse("""{"ok":1,"$bad":1}""")!.AsObject(), Later));
    }

    [Fact]
    public void Device_view_has_versions_and_no_metadata()
    {
        var twin = TwinDocument.Create(Created).WithServicePatch(Write("""{"properties":{"desired":{"a":1}}}"""), Later, out _);
        Assert.Equal("""{"desired":{"a":1,"$version":2},"reported":{"$version":1}}""", twin.ToDeviceJson().ToJsonString());
    }

    [Fact]
    public void Wrong_shapes_are_ArgumentInvalid()
    {
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => Write("""{"tags":[1]}""")).Code);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => Write("""{"properties":{"desired":5}}""")).Code);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => Write("""{"properties":"x"}""")).Code);
    }
}
