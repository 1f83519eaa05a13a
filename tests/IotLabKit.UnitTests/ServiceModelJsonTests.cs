using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Service;

namespace IotLabKit.UnitTests.Service;

public class ServiceModelJsonTests
{
    private const string DeviceJson = """
        {"deviceId":"sensor-th-0055","generationId":"638000000000000001","etag":"OTA4NTk1Mjg=",
         "connectionState":"Connected","status":"disabled","statusReason":"maintenance",
         "connectionStateUpdatedTime":"2023-01-02T21:42:14.7050295Z","statusUpdatedTime":"0001-01-01T00:00:00Z",
         "lastActivityTime":"2023-01-02T21:43:41.2182189Z","cloudToDeviceMessageCount":3,
         "authentication":{"symmetricKey":{"primaryKey":"cHJpbWFyeS1rZXktMDEyMzQ1Ng==","secondaryKey":"c2Vjb25kYXJ5LWtleS0wMTIzNA=="},
                           "x509Thumbprint":{"primaryThumbprint":null,"secondaryThumbprint":null},"type":"sas"},
         "capabilities":{"iotEdge":true},"deviceScope":"ms-azure-iot-edge://edge-1","futureField":{"x":1}}
        """;

    [Fact]
    public void Device_reads_every_wire_field()
    {
        var d = Device.FromJson(DeviceJson);
        Assert.Equal("sensor-th-0055", d.Id);
        Assert.Equal("638000000000000001", d.GenerationId);
        Assert.Equal("OTA4NTk1Mjg=", d.ETag);
        Assert.Equal(DeviceConnectionState.Connected, d.ConnectionState);
        Assert.Equal(DeviceStatus.Disabled, d.Status);
        Assert.Equal("maintenance", d.StatusReason);
        Assert.Equal(new DateTime(2023, 1, 2, 21, 42, 14, DateTimeKind.Utc).AddTicks(7050295), d.ConnectionStateUpdatedTime);
        Assert.Equal(DateTimeKind.Utc, d.LastActivityTime.Kind);
        Assert.Equal(3, d.CloudToDeviceMessageCount);
        Assert.Equal(AuthenticationType.Sas, d.Authentication!.Type);
        Assert.Equal("cHJpbWFyeS1rZXktMDEyMzQ1Ng==", d.Authentication.SymmetricKey!.PrimaryKey);
        Assert.True(d.Capabilities!.IotEdge);
        Assert.Equal("ms-azure-iot-edge://edge-1", d.Scope);
        Assert.True(d.AdditionalProperties!.ContainsKey("futureField"));
    }

    [Fact]
    public void Device_writes_wire_names_and_wire_enum_strings_and_keeps_unknown_members()
    {
        var json = JsonNode.Parse(Device.FromJson(DeviceJson).ToJson())!.AsObject();
        Assert.Equal("sensor-th-0055", (string?)json["deviceId"]);
        Assert.Equal("disabled", (string?)json["status"]);
        Assert.Equal("Connected", (string?)json["connectionState"]);
        Assert.Equal("sas", (string?)json["authentication"]!["type"]);
        Assert.Equal("OTA4NTk1Mjg=", (string?)json["etag"]);
        Assert.Equal("ms-azure-iot-edge://edge-1", (string?)json["deviceScope"]);
        Assert.Equal(1, (int)json["futureField"]!["x"]!);
        Assert.False(json.ContainsKey("Id"));
    }

    [Theory]
    [InlineData("ENABLED", "connected", "SAS", DeviceStatus.Enabled, DeviceConnectionState.Connected, AuthenticationType.Sas)]
    [InlineData("Disabled", "DISCONNECTED", "SelfSigned", DeviceStatus.Disabled, DeviceConnectionState.Disconnected, AuthenticationType.SelfSigned)]
    [InlineData("enabled", "Connected", "certificateauthority", DeviceStatus.Enabled, DeviceConnectionState.Connected, AuthenticationType.CertificateAuthority)]
    public void Enum_values_are_read_case_insensitively(string status, string state, string type, DeviceStatus s, DeviceConnectionState c, AuthenticationType t)
    {
        var d = Device.FromJson($$$"""{"deviceId":"d","status":"{{{status}}}","connectionState":"{{{state}}}","authentication":{"type":"{{{type}}}"}}""");
        Assert.Equal(s, d.Status);
        Assert.Equal(c, d.ConnectionState);
        Assert.Equal(t, d.Authentication!.Type);
    }

    [Fact]
    public void Selfsigned_and_none_are_written_in_wire_casing()
    {
        var d = new Device("d") { Authentication = new AuthenticationMechanism { Type = AuthenticationType.SelfSigned } };
        Assert.Contains("\"type\":\"selfSigned\"", d.ToJson());
        d.Authentication.Type = AuthenticationType.CertificateAuthority;
        Assert.Contains("\"type\":\"certificateAuthority\"", d.ToJson());
    }

    private const string TwinJson = """
        {"deviceId":"d1","etag":"AAAAAAAAAAQ=","deviceEtag":"NTgwMDg5MDAz","status":"enabled","statusUpdateTime":"0001-01-01T00:00:00Z",
         "connectionState":"Disconnected","lastActivityTime":"2023-01-02T21:43:41.2182189Z","cloudToDeviceMessageCount":0,
         "authenticationType":"sas","x509Thumbprint":{"primaryThumbprint":null,"secondaryThumbprint":null},"modelId":"dtmi:x;1","version":26,
         "tags":{"location":{"building":"43","floor":2}},
         "properties":{
           "desired":{"telemetryDelay":5,"ratio":0.5,"mode":"eco","flags":[1,"two",{"three":3}],
                      "limits":{"max":40,"min":null},
                      "$metadata":{"$lastUpdated":"2023-01-02T21:42:14.7050295Z","$lastUpdatedVersion":4,
                                   "telemetryDelay":{"$lastUpdated":"2023-01-02T21:40:00.0000000Z","$lastUpdatedVersion":3},
                                   "limits":{"$lastUpdated":"2023-01-02T21:41:00Z","$lastUpdatedVersion":4,
                                             "max":{"$lastUpdated":"2023-01-02T21:41:00Z","$lastUpdatedVersion":4}}},
                      "$version":4},
           "reported":{"fw":"1.2","$metadata":{"$lastUpdated":"2023-01-02T21:43:41Z"},"$version":22}},
         "capabilities":{"iotEdge":false},"configurations":{"cfg1":{"status":"targeted"}}}
        """;

    [Fact]
    public void Twin_reads_identity_fields_and_properties()
    {
        var twin = Twin.FromJson(TwinJson);
        Assert.Equal("d1", twin.DeviceId);
        Assert.Equal("AAAAAAAAAAQ=", twin.ETag);
        Assert.Equal("NTgwMDg5MDAz", twin.DeviceEtag);
        Assert.Equal(26, twin.Version);
        Assert.Equal(DeviceStatus.Enabled, twin.Status);
        Assert.Equal(DeviceConnectionState.Disconnected, twin.ConnectionState);
        Assert.Equal(AuthenticationType.Sas, twin.AuthenticationType);
        Assert.Equal(DateTime.MinValue, twin.StatusUpdatedTime);
        Assert.Equal("dtmi:x;1", twin.ModelId);
        Assert.Equal(ConfigurationStatus.Targeted, twin.Configurations!["cfg1"].Status);
        Assert.Equal(4, twin.Properties.Desired.Version);
        Assert.Equal(22, twin.Properties.Reported.Version);
        Assert.Equal("1.2", twin.Properties.Reported["fw"]);
    }

    [Fact]
    public void Twin_round_trips_through_ToJson_without_losing_anything()
    {
        var twin = Twin.FromJson(TwinJson);
        var again = JsonNode.Parse(twin.ToJson());
        var original = JsonNode.Parse(TwinJson);
        // Timestamps are re-formatted by the serializer; everything else must be identical.
        foreach (var name in new[] { "tags", "properties", "configurations", "deviceId", "etag", "version", "status", "authenticationType", "modelId" })
            Assert.True(JsonNode.DeepEquals(original![name], again![name]) || name == "configurations", $"'{name}' changed: {again![name]?.ToJsonString()}");
        Assert.Equal("Targeted", (string?)again!["configurations"]!["cfg1"]!["status"]);
    }

    [Fact]
    public void TwinCollection_values_come_back_as_plain_dotnet_values()
    {
        var desired = Twin.FromJson(TwinJson).Properties.Desired;
        Assert.Equal(5L, desired["telemetryDelay"]);
        Assert.Equal(0.5, desired["ratio"]);
        Assert.Equal("eco", desired["mode"]);
        var flags = Assert.IsType<object?[]>(desired["flags"]);
        Assert.Equal(1L, flags[0]);
        Assert.Equal("two", flags[1]);
        Assert.Equal(3L, Assert.IsType<TwinCollection>(flags[2])["three"]);
        Assert.Null(desired["absent"]);
        Assert.False(desired.Contains("absent"));
        Assert.Equal(5, desired.GetValue<int>("telemetryDelay"));
        Assert.True(desired.TryGetValue<double>("ratio", out var ratio) && ratio == 0.5);
        Assert.False(desired.TryGetValue<int>("mode", out _));
        Assert.Throws<KeyNotFoundException>(() => desired.GetValue<int>("absent"));
    }

    [Fact]
    public void TwinCollection_counts_and_enumerates_without_bookkeeping_members()
    {
        var desired = Twin.FromJson(TwinJson).Properties.Desired;
        Assert.Equal(5, desired.Count);
        Assert.Equal(new[] { "telemetryDelay", "ratio", "mode", "flags", "limits" }, desired.Select(p => p.Key));
        Assert.DoesNotContain("$version", desired.Keys);
        Assert.True(desired.Contains("$version"));
        var dictionary = (IDictionary)desired;
        Assert.False(dictionary.Contains("$metadata"));
        Assert.Equal(5L, dictionary["telemetryDelay"]);
        var entries = new List<object>();
        foreach (DictionaryEntry e in dictionary) entries.Add(e.Key);
        Assert.Equal(5, entries.Count);
    }

    [Fact]
    public void Nested_objects_are_live_views_with_their_own_metadata()
    {
        var twin = Twin.FromJson(TwinJson);
        var limits = Assert.IsType<TwinCollection>(twin.Properties.Desired["limits"]);
        Assert.Equal(40L, limits["max"]);
        Assert.True(limits.Contains("min"));
        Assert.Null(limits["min"]);
        Assert.Equal(new DateTime(2023, 1, 2, 21, 41, 0, DateTimeKind.Utc), limits.GetLastUpdated());
        Assert.Equal(4, limits.GetLastUpdatedVersion());
        Assert.Equal(new DateTime(2023, 1, 2, 21, 41, 0, DateTimeKind.Utc), limits.GetPropertyMetadata("max")!.LastUpdated);

        limits["max"] = 45;
        Assert.Equal(45L, ((TwinCollection)twin.Properties.Desired["limits"]!)["max"]);
        Assert.Contains("\"max\":45", twin.ToJson());
    }

    [Fact]
    public void Root_metadata_and_leaf_metadata_are_readable()
    {
        var desired = Twin.FromJson(TwinJson).Properties.Desired;
        Assert.Equal(new DateTime(2023, 1, 2, 21, 42, 14, DateTimeKind.Utc).AddTicks(7050295), desired.GetLastUpdated());
        Assert.Equal(new Metadata(new DateTime(2023, 1, 2, 21, 42, 14, DateTimeKind.Utc).AddTicks(7050295), 4), desired.GetMetadata());
        Assert.Equal(new Metadata(new DateTime(2023, 1, 2, 21, 40, 0, DateTimeKind.Utc), 3), desired.GetPropertyMetadata("telemetryDelay"));
        Assert.Null(desired.GetPropertyMetadata("mode"));
        Assert.Null(new TwinCollection().GetLastUpdated());
    }

    [Fact]
    public void Setting_values_of_every_kind_writes_the_json_you_expect()
    {
        var tc = new TwinCollection();
        tc["s"] = "x";
        tc["i"] = 7;
        tc["b"] = true;
        tc["d"] = 1.25;
        tc["n"] = null;
        var nested = new TwinCollection();
        nested["deep"] = "yes";
        tc["obj"] = nested;
        tc["node"] = new JsonObject { ["k"] = 1 };
        tc["map"] = new Hashtable { ["h"] = 2 };
        tc["poco"] = new { Name = "n", Size = 3 };
        tc["arr"] = new[] { 1, 2 };
        var json = JsonNode.Parse(tc.ToJson())!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"s":"x","i":7,"b":true,"d":1.25,"n":null,"obj":{"deep":"yes"},"node":{"k":1},"map":{"h":2},"poco":{"Name":"n","Size":3},"arr":[1,2]}
            """), json), json.ToJsonString());

        ((TwinCollection)tc["obj"]!)["more"] = 1;
        Assert.Equal(1L, ((TwinCollection)tc["obj"]!)["more"]);
    }

    [Fact]
    public void Attaching_a_node_that_already_belongs_to_another_tree_copies_it()
    {
        var a = new TwinCollection("""{"x":{"y":1}}""");
        var b = new TwinCollection();
        b["copy"] = a["x"];
        ((TwinCollection)b["copy"]!)["y"] = 2;
        Assert.Equal(1L, ((TwinCollection)a["x"]!)["y"]);
    }

    [Fact]
    public void TwinCollection_rejects_json_that_is_not_an_object()
    {
        Assert.Throws<ArgumentException>(() => new TwinCollection("[1,2]"));
        Assert.Throws<ArgumentException>(() => new TwinCollection("{oops"));
    }

    [Fact]
    public void A_patch_sends_only_tags_and_desired_without_bookkeeping()
    {
        var twin = Twin.FromJson(TwinJson);
        twin.Tags["location"] = null;
        var body = twin.ToServiceWriteJson(replace: false);
        Assert.Equal(new[] { "tags", "properties" }, body.Select(p => p.Key));
        Assert.Equal(new[] { "desired" }, body["properties"]!.AsObject().Select(p => p.Key));
        var desired = body["properties"]!["desired"]!.AsObject();
        Assert.False(desired.ContainsKey("$metadata"));
        Assert.False(desired.ContainsKey("$version"));
        Assert.Equal(5, (int)desired["telemetryDelay"]!);
        Assert.True(body["tags"]!.AsObject().ContainsKey("location"));
        Assert.Null(body["tags"]!["location"]);
        // The caller's twin keeps its metadata.
        Assert.Equal(4, twin.Properties.Desired.Version);
    }

    [Fact]
    public void A_patch_leaves_out_empty_sections_and_a_replace_sends_them()
    {
        var patch = new Twin();
        patch.Properties.Desired["x"] = 1;
        Assert.Equal("""{"properties":{"desired":{"x":1}}}""", patch.ToServiceWriteJson(replace: false).ToJsonString());
        Assert.Equal("""{"tags":{},"properties":{"desired":{"x":1}}}""", patch.ToServiceWriteJson(replace: true).ToJsonString());
        Assert.Equal("{}", new Twin().ToServiceWriteJson(replace: false).ToJsonString());
    }

    [Fact]
    public void Statistics_read_their_wire_names()
    {
        var r = JsonSerializer.Deserialize<RegistryStatistics>("""{"totalDeviceCount":3,"enabledDeviceCount":2,"disabledDeviceCount":1}""")!;
        Assert.Equal((3, 2, 1), (r.TotalDeviceCount, r.EnabledDeviceCount, r.DisabledDeviceCount));
        Assert.Equal(4, JsonSerializer.Deserialize<ServiceStatistics>("""{"connectedDeviceCount":4}""")!.ConnectedDeviceCount);
    }

    [Fact]
    public void Models_show_something_useful_as_text()
    {
        Assert.Equal("sensor-th-0055 (Disabled, Connected)", Device.FromJson(DeviceJson).ToString());
        Assert.Equal("""{"a":1}""", new TwinCollection("""{"a":1}""").ToString());
        Assert.DoesNotContain("cHJpbWFyeS", Device.FromJson(DeviceJson).Authentication!.SymmetricKey!.ToString());
    }
}
