using System.Text.Json.Serialization;

namespace IotLabKit.Labs.Model;

/// <summary>
/// One lab as <c>lab.json</c> describes it (labs/README.md is the contract, labs/lab.schema.json its schema).
/// Loaded and checked by <see cref="Catalog.LabLoader"/>; <see cref="Directory"/> is where its files live.
/// </summary>
public sealed class Lab
{
    /// <summary>The schema the file names for editors (<c>"$schema"</c>); not used by the runner.</summary>
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    /// <summary>The lab's number in the course (15, 16).</summary>
    public int Id { get; init; }

    /// <summary>The course's title of the lab.</summary>
    public string Title { get; init; } = "";

    /// <summary>What the lab is about, in a sentence or two.</summary>
    public string? Summary { get; init; }

    /// <summary>The device ids the lab uses; the first is the lab's device.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>The seed scripts use for their random numbers, so runs are reproducible.</summary>
    public int Seed { get; init; }

    /// <summary>The exercises in course order.</summary>
    public IReadOnlyList<LabExercise> Exercises { get; init; } = [];

    /// <summary>The folder holding lab.json (absolute); set by the loader.</summary>
    [JsonIgnore]
    public string Directory { get; internal set; } = "";

    /// <summary>Every task of every exercise, in order.</summary>
    [JsonIgnore]
    public IEnumerable<LabTask> Tasks => Exercises.SelectMany(e => e.Tasks);

    /// <summary>The absolute path of a file named relative to the lab's folder.</summary>
    public string PathOf(string relative) => Path.GetFullPath(Path.Combine(Directory, relative));
}

/// <summary>An exercise: a numbered group of tasks.</summary>
public sealed class LabExercise
{
    /// <summary>The exercise number in the course.</summary>
    public int Number { get; init; }

    /// <summary>The course's title of the exercise.</summary>
    public string Title { get; init; } = "";

    /// <summary>Course material beyond the lab itself: Start-IotLab -Auto skips it unless -IncludeOptional.</summary>
    public bool Optional { get; init; }

    /// <summary>The tasks in order.</summary>
    public IReadOnlyList<LabTask> Tasks { get; init; } = [];
}

/// <summary>A task: instructions to show, an optional action to run, an optional checkpoint to check.</summary>
public sealed class LabTask
{
    /// <summary>"E.T" (exercise number, task number): what <c>Start-IotLab -Step</c> takes.</summary>
    public string Id { get; init; } = "";

    /// <summary>The course's title of the task.</summary>
    public string Title { get; init; } = "";

    /// <summary>The Markdown file (relative to the lab folder) the runner prints.</summary>
    public string Instructions { get; init; } = "";

    /// <summary>What the runner does for the student, or null.</summary>
    public LabAction? Action { get; init; }

    /// <summary>What the runner checks afterwards, or null.</summary>
    public LabCheckpoint? Checkpoint { get; init; }
}

/// <summary>The kinds of <see cref="LabAction"/>.</summary>
public enum LabActionKind
{
    /// <summary>The kit's labNN-setup.azcli: a hub, the lab's devices, the "Configuration Data:" block.</summary>
    Setup,

    /// <summary>Runs a C# script with the lab globals, in the foreground or the background.</summary>
    Script,

    /// <summary>Shows a PowerShell command the student would type, then runs it in the session.</summary>
    PowerShell,

    /// <summary>Stops one background script, or all.</summary>
    Stop,
}

/// <summary>A task's action (labs/README.md lists which members each kind takes).</summary>
public sealed class LabAction
{
    /// <summary>What to do.</summary>
    public LabActionKind Kind { get; init; }

    /// <summary>Setup: a short automatic-configuration evaluation interval ("00:00:10", "10s") for the emulator.</summary>
    public string? ConfigurationEvaluationInterval { get; init; }

    /// <summary>Setup: <see cref="ConfigurationEvaluationInterval"/> as a time, or null.</summary>
    [JsonIgnore]
    public TimeSpan? EvaluationInterval => ConfigurationEvaluationInterval is { } text && LabDuration.TryParse(text, out var value) ? value : null;

    /// <summary>Script and stop: the script file, relative to the lab folder.</summary>
    public string? Script { get; init; }

    /// <summary>Script: keep it running in the background after the task.</summary>
    public bool Background { get; init; }

    /// <summary>Script: the device whose connection string the script gets (default: the lab's first device).</summary>
    public string? Device { get; init; }

    /// <summary>Script: arguments; <c>{deviceConnectionString}</c> and <c>{serviceConnectionString}</c> are filled in.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Script: wait until the script printed a line containing this text before moving on.</summary>
    public string? WaitForOutput { get; init; }

    /// <summary>Script: how long to wait for a foreground script to end, or for <see cref="WaitForOutput"/> (default 60).</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>PowerShell: the command to show and run.</summary>
    public string? Command { get; init; }

    /// <summary>The script wait, with the default applied.</summary>
    [JsonIgnore]
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds ?? 60);
}

/// <summary>A check the runner polls after a task's action until it passes or times out.</summary>
public sealed class LabCheckpoint
{
    /// <summary>The check function in the lab's LabNN.Checks.ps1.</summary>
    public string Check { get; init; } = "";

    /// <summary>How long to keep checking (default 60).</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>What the student should see.</summary>
    public string? LookFor { get; init; }

    /// <summary>What to do when the check fails (the course's pitfalls).</summary>
    public string? IfFails { get; init; }

    /// <summary>The timeout, with the default applied.</summary>
    [JsonIgnore]
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds ?? 60);
}
