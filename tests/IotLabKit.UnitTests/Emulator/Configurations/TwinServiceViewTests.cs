using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.UnitTests.Emulator.Configurations;

/// <summary>The borrowed twin view the configuration engine reads: the service shape, and the twin untouched after.</summary>
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
    public void The_full_view_is_the_service_twin_and_the_twin_is_unchanged_afterwards()
    {
        var (identity, twin) = Sample();
        var expected = twin.ToServiceJson(identity).ToJsonString();

        var seen = twin.ReadServiceView(identity, TwinViewParts.All, view => view.ToJsonString());

        Assert.Equal(expected, seen);
        Assert.Equal(expected, twin.ToServiceJson(identity).ToJsonString());
        Assert.Null(twin.Tags.Parent);
        Assert.Null(twin.Desired.Values.Parent);
        Assert.False(twin.Desired.Values.ContainsKey("$version"));
        Assert.False(twin.Reported.Values.ContainsKey("$metadata"));
    }

    [Fact]
    public void The_core_view_leaves_out_metadata_and_configurations_only()
    {
        var (identity, twin) = Sample();
        var view = JsonNode.Parse(twin.ReadServiceView(identity, TwinViewParts.Core, v => v.ToJsonString()))!.AsObject();
        Assert.Null(view["properties"]!["desired"]!["$metadata"]);
        Assert.Null(view["configurations"]);
        Assert.Equal(2, (long)view["properties"]!["desired"]!["$version"]!);
        Assert.Equal("1.0.0", (string?)view["properties"]!["reported"]!["firmware"]!["currentFwVersion"]);
        Assert.Equal(1, (long)view["tags"]!["loc"]!["room"]!);
    }

    [Fact]
    public void A_reader_that_throws_still_gives_the_trees_back()
    {
        var (identity, twin) = Sample();
        Assert.Throws<InvalidOperationException>(() => twin.ReadServiceView<int>(identity, TwinViewParts.All, _ => throw new InvalidOperationException()));
        Assert.Null(twin.Tags.Parent);
        Assert.Equal("""{"firmware":{"fwVersion":"1.0.1"}}""", twin.Desired.Values.ToJsonString());
    }
}
