using System.Management.Automation;
using IotLabKit.Labs.Model;

namespace IotLabKit.PowerShell.Output;

/// <summary>A lab as Get-IotLab lists it (PSTypeName <c>IotLabKit.Lab</c>).</summary>
public sealed class LabInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.Lab";

    /// <summary>The lab's number (what -Lab takes).</summary>
    public int Lab { get; init; }
    /// <summary>The course's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>What the lab is about.</summary>
    public string? Summary { get; init; }
    /// <summary>The devices it uses.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];
    /// <summary>How many exercises it has.</summary>
    public int Exercises { get; init; }
    /// <summary>How many tasks (steps) it has.</summary>
    public int Tasks { get; init; }
    /// <summary>The seed its scripts use.</summary>
    public int Seed { get; init; }
    /// <summary>The lab's folder.</summary>
    public string Path { get; init; } = "";

    internal static PSObject From(Lab lab)
    {
        var ps = new PSObject(new LabInfo
        {
            Lab = lab.Id,
            Title = lab.Title,
            Summary = lab.Summary,
            Devices = lab.Devices,
            Exercises = lab.Exercises.Count,
            Tasks = lab.Tasks.Count(),
            Seed = lab.Seed,
            Path = lab.Directory,
        });
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }
}
