using System.Text.Json.Nodes;
using IotLabKit.Labs.Catalog;
using IotLabKit.Labs.Model;

namespace IotLabKit.Labs.Tests;

/// <summary>lab.json's rules (labs/README.md): the fixture lab loads; each broken rule is named with where it is.</summary>
public sealed class LabLoaderTests : IDisposable
{
    private static readonly string Fixture = Path.Combine(RepoRoot(), "tests", "fixtures", "labs", "lab99-runner-fixture");
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"iotlabkit-lab-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void The_fixture_lab_loads_with_its_exercises_tasks_and_actions()
    {
        var lab = LabLoader.Load(Fixture);

        Assert.Equal(99, lab.Id);
        Assert.Equal(["fixture-dev-01", "fixture-dev-02"], lab.Devices);
        Assert.Equal(["1.1", "2.1", "2.2", "2.3", "2.4", "3.1"], lab.Tasks.Select(t => t.Id));
        var heartbeat = lab.Tasks.Single(t => t.Id == "2.1").Action!;
        Assert.Equal(LabActionKind.Script, heartbeat.Kind);
        Assert.True(heartbeat.Background);
        Assert.Equal("Message sent", heartbeat.WaitForOutput);
        Assert.Equal(LabActionKind.PowerShell, lab.Tasks.Single(t => t.Id == "2.3").Action!.Kind);
        Assert.True(lab.Exercises[2].Optional);
        Assert.Equal(TimeSpan.FromSeconds(60), lab.Tasks.Single(t => t.Id == "2.1").Action!.Timeout);
    }

    [Fact]
    public void The_real_labs_load()
    {
        var labs = LabCatalog.LoadAll([Path.Combine(RepoRoot(), "labs")], broken => Assert.Fail(broken.Message));
        Assert.Equal([15, 16], labs.Select(l => l.Id));
        Assert.Equal(TimeSpan.FromSeconds(10), labs[1].Tasks.First().Action!.EvaluationInterval);
    }

    [Fact]
    public void Every_broken_rule_is_reported_at_once_with_where_it_is()
    {
        var problems = LoadBroken(json =>
        {
            json["summary"] = "";
            json["devices"] = new JsonArray("ok-device", "bad device", "ok-device");
            var task = json["exercises"]![0]!["tasks"]![0]!;
            task["id"] = "2.1";
            task["instructions"] = "instructions/missing.md";
            task["action"] = new JsonObject { ["kind"] = "setup", ["configurationEvaluationInterval"] = "soon" };
            task["checkpoint"]!["check"] = "CheckIt";
            var script = json["exercises"]![1]!["tasks"]![0]!["action"]!;
            script["device"] = "someone-else";
            script["args"] = new JsonArray("{deviceConnectionString}", "{password}");
            json["exercises"]![1]!["tasks"]![3]!["action"] = new JsonObject { ["kind"] = "stop", ["script"] = "scripts/Other.csx" };
        });

        Assert.Contains("summary: is required (the scenario and what the student builds, in a paragraph).", problems);
        Assert.Contains(problems, p => p.StartsWith("devices[1]: 'bad device' is not a valid device id", StringComparison.Ordinal));
        Assert.Contains("devices: 'ok-device' is listed more than once.", problems);
        Assert.Contains("exercises[0].tasks[0].id: '2.1' must read \"1.<task number>\" (exercise 1).", problems);
        Assert.Contains(problems, p => p.StartsWith("exercises[0].tasks[0].instructions: 'instructions/missing.md' does not exist", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("exercises[0].tasks[0].action.configurationEvaluationInterval: 'soon' must be a time", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("exercises[0].tasks[0].checkpoint.check: 'CheckIt' must name a check function", StringComparison.Ordinal));
        Assert.Contains("exercises[1].tasks[0].action.device: 'someone-else' is not one of the lab's devices (ok-device, bad device, ok-device).", problems);
        Assert.Contains(problems, p => p.StartsWith("exercises[1].tasks[0].action.args: '{password}' is not a placeholder", StringComparison.Ordinal));
        Assert.Contains("exercises[1].tasks[3].action.script: 'scripts/Other.csx' is not started in the background by an earlier task.", problems);
    }

    [Fact]
    public void An_unknown_member_is_refused_with_its_path_and_line()
    {
        var problems = LoadBroken(json => json["exercises"]![0]!["tasks"]![0]!["acton"] = new JsonObject { ["kind"] = "setup" });

        var problem = Assert.Single(problems);
        Assert.StartsWith("$.exercises[0].tasks[0].acton (line ", problem, StringComparison.Ordinal);
        Assert.Contains("could not be mapped", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_of_another_action_kind_is_refused()
    {
        var problems = LoadBroken(json => json["exercises"]![0]!["tasks"]![0]!["action"] = new JsonObject { ["kind"] = "powershell", ["command"] = "Get-IotDevice", ["script"] = "scripts/Heartbeat.csx" });

        Assert.Equal(["exercises[0].tasks[0].action.script: does not belong to a 'powershell' action."], problems);
    }

    [Theory]
    [InlineData("00:00:10", 10)]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("1.5h", 5400)]
    [InlineData("500ms", 0.5)]
    public void Durations_read_as_lab_json_writes_them(string text, double seconds)
    {
        Assert.True(LabDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("10")]
    [InlineData("1:2:3")]
    [InlineData("10 s")]
    public void Other_durations_are_refused(string text) => Assert.False(LabDuration.TryParse(text, out _));

    private IReadOnlyList<string> LoadBroken(Action<JsonNode> breakIt)
    {
        CopyDirectory(Fixture, folder);
        var path = Path.Combine(folder, LabLoader.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        breakIt(json);
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var ex = Assert.Throws<LabDefinitionException>(() => LabLoader.Load(folder));
        Assert.Equal(path, ex.Path);
        return ex.Problems;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IotLabKit.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("IotLabKit.sln not found above " + AppContext.BaseDirectory);
    }
}
