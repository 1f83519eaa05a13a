using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using IotLabKit.Labs.Model;
using IotLabKit.Labs.Scripting;

namespace IotLabKit.Labs.Catalog;

/// <summary>
/// Reads lab.json and checks it against the contract's rules (labs/README.md, labs/lab.schema.json), reporting
/// every problem at once with where it is, so a lab author fixes them in one pass.
/// </summary>
public static partial class LabLoader
{
    /// <summary>The file name of a lab definition.</summary>
    public const string FileName = "lab.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt member would otherwise be silently ignored and the lab would do less than its author thinks.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>Loads a lab from its folder or its lab.json.</summary>
    /// <exception cref="LabDefinitionException">The file is missing, is not JSON of the right shape, or breaks a rule.</exception>
    public static Lab Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        file = Path.GetFullPath(file);
        if (!File.Exists(file)) throw new LabDefinitionException(file, [$"{FileName} not found."]);
        Lab? lab;
        try
        {
            using var stream = File.OpenRead(file);
            lab = JsonSerializer.Deserialize<Lab>(stream, Json);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"line {line + 1}" + (ex.BytePositionInLine is { } col ? $", column {col + 1}" : "") : "";
            throw new LabDefinitionException(file, [$"{(ex.Path is { Length: > 0 } p ? p : "$")} ({where}): {Simplify(ex.Message)}"]);
        }
        if (lab is null) throw new LabDefinitionException(file, ["the file holds null, not a lab object."]);
        lab.Directory = Path.GetDirectoryName(file)!;
        var problems = Validate(lab);
        if (problems.Count > 0) throw new LabDefinitionException(file, problems);
        return lab;
    }

    /// <summary>Every rule a loaded lab breaks ("where: what"); empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(Lab lab)
    {
        var problems = new List<string>();
        void Problem(string where, string what) => problems.Add($"{where}: {what}");

        if (lab.Id <= 0) Problem("id", "must be the lab's number (a whole number above 0).");
        if (string.IsNullOrWhiteSpace(lab.Title)) Problem("title", "is required.");
        if (string.IsNullOrWhiteSpace(lab.Summary)) Problem("summary", "is required (the scenario and what the student builds, in a paragraph).");
        if (lab.Devices.Count == 0) Problem("devices", "must list at least one device id (the first is the lab's device).");
        for (var i = 0; i < lab.Devices.Count; i++)
        {
            if (!DeviceId().IsMatch(lab.Devices[i] ?? ""))
                Problem($"devices[{i}]", $"'{lab.Devices[i]}' is not a valid device id (1-128 letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ ').");
        }
        foreach (var dup in lab.Devices.GroupBy(d => d, StringComparer.Ordinal).Where(g => g.Count() > 1))
            Problem("devices", $"'{dup.Key}' is listed more than once.");
        if (lab.Exercises.Count == 0) Problem("exercises", "must hold at least one exercise.");

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var scripts = new HashSet<string>(StringComparer.Ordinal);
        for (var e = 0; e < lab.Exercises.Count; e++)
        {
            var exercise = lab.Exercises[e];
            var ew = $"exercises[{e}]";
            if (exercise is null) { Problem(ew, "is null."); continue; }
            if (exercise.Number <= 0) Problem($"{ew}.number", "must be a whole number above 0.");
            if (string.IsNullOrWhiteSpace(exercise.Title)) Problem($"{ew}.title", "is required.");
            if (exercise.Tasks.Count == 0) Problem($"{ew}.tasks", "must hold at least one task.");
            for (var t = 0; t < exercise.Tasks.Count; t++)
            {
                var task = exercise.Tasks[t];
                var tw = $"{ew}.tasks[{t}]";
                if (task is null) { Problem(tw, "is null."); continue; }
                if (!TaskId().IsMatch(task.Id ?? "") || task.Id!.Split('.')[0] != exercise.Number.ToString(CultureInfo.InvariantCulture))
                    Problem($"{tw}.id", $"'{task.Id}' must read \"{exercise.Number}.<task number>\" (exercise {exercise.Number}).");
                else if (!ids.Add(task.Id)) Problem($"{tw}.id", $"'{task.Id}' is used by another task.");
                if (string.IsNullOrWhiteSpace(task.Title)) Problem($"{tw}.title", "is required.");
                CheckFile(lab, task.Instructions, $"{tw}.instructions", "instructions", ".md", Problem);
                if (task.Action is { } action) ValidateAction(lab, action, $"{tw}.action", scripts, Problem);
                if (task.Checkpoint is { } checkpoint)
                {
                    if (!CheckName().IsMatch(checkpoint.Check ?? ""))
                        Problem($"{tw}.checkpoint.check", $"'{checkpoint.Check}' must name a check function of the lab's checks file (Test-Lab<id><Name>, e.g. Test-Lab{lab.Id}TelemetryArrived).");
                    if (checkpoint.TimeoutSeconds is < 1)
                        Problem($"{tw}.checkpoint.timeoutSeconds", $"{checkpoint.TimeoutSeconds} must be 1 or more.");
                }
            }
        }
        return problems;
    }

    private static void ValidateAction(Lab lab, LabAction action, string where, HashSet<string> startedScripts, Action<string, string> problem)
    {
        void NotFor(string member, bool present)
        {
            if (present) problem($"{where}.{member}", $"does not belong to a '{action.Kind.ToString().ToLowerInvariant()}' action.");
        }

        switch (action.Kind)
        {
            case LabActionKind.Setup:
                if (action.ConfigurationEvaluationInterval is { } text
                    && (!LabDuration.TryParse(text, out var interval) || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromHours(24)))
                    problem($"{where}.configurationEvaluationInterval", $"'{text}' must be a time from 1 second to 24 hours (\"00:00:10\", \"10s\", \"2m\").");
                NotFor("script", action.Script is not null);
                NotFor("command", action.Command is not null);
                break;
            case LabActionKind.Script:
                if (string.IsNullOrWhiteSpace(action.Script)) problem($"{where}.script", "is required (the .csx file, relative to the lab folder).");
                else
                {
                    CheckFile(lab, action.Script, $"{where}.script", "script", ".csx", problem);
                    if (action.Background) startedScripts.Add(action.Script);
                }
                if (action.Device is { } device && !lab.Devices.Contains(device, StringComparer.Ordinal))
                    problem($"{where}.device", $"'{device}' is not one of the lab's devices ({string.Join(", ", lab.Devices)}).");
                if (action.TimeoutSeconds is < 1) problem($"{where}.timeoutSeconds", $"{action.TimeoutSeconds} must be 1 or more.");
                foreach (var arg in action.Args)
                {
                    foreach (Match m in Placeholder().Matches(arg ?? ""))
                    {
                        if (!LabScriptArguments.Placeholders.Contains(m.Groups[1].Value))
                            problem($"{where}.args", $"'{{{m.Groups[1].Value}}}' is not a placeholder the runner fills in ({string.Join(", ", LabScriptArguments.Placeholders.Select(p => "{" + p + "}"))}).");
                    }
                }
                NotFor("command", action.Command is not null);
                NotFor("configurationEvaluationInterval", action.ConfigurationEvaluationInterval is not null);
                break;
            case LabActionKind.PowerShell:
                if (string.IsNullOrWhiteSpace(action.Command)) problem($"{where}.command", "is required (the PowerShell command to show and run).");
                NotFor("script", action.Script is not null);
                NotFor("configurationEvaluationInterval", action.ConfigurationEvaluationInterval is not null);
                break;
            case LabActionKind.Stop:
                if (action.Script is { } script && !startedScripts.Contains(script))
                    problem($"{where}.script", $"'{script}' is not started in the background by an earlier task.");
                NotFor("command", action.Command is not null);
                break;
        }
    }

    private static void CheckFile(Lab lab, string? relative, string where, string what, string extension, Action<string, string> problem)
    {
        if (string.IsNullOrWhiteSpace(relative)) { problem(where, $"is required (the {what} file, relative to the lab folder)."); return; }
        if (!relative.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) { problem(where, $"'{relative}' must be a {extension} file."); return; }
        if (Path.IsPathRooted(relative)) { problem(where, $"'{relative}' must be relative to the lab folder."); return; }
        var full = lab.PathOf(relative);
        if (!full.StartsWith(lab.Directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            problem(where, $"'{relative}' points outside the lab folder.");
        else if (!File.Exists(full)) problem(where, $"'{relative}' does not exist in {lab.Directory}.");
    }

    // System.Text.Json's messages end with a hint about its own options; the path and line are given separately.
    private static string Simplify(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [GeneratedRegex(@"^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$")]
    private static partial Regex DeviceId();

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex TaskId();

    [GeneratedRegex(@"^Test-Lab[0-9]+[A-Za-z0-9]+$")]
    private static partial Regex CheckName();

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
