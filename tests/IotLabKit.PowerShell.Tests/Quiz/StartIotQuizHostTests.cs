using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using System.Text.RegularExpressions;
using IotLabKit.PowerShell.Quiz;
using IotLabKit.Quizzes.Grading;

namespace IotLabKit.PowerShell.Tests.Quiz;

/// <summary>
/// Start-IotQuiz driven through the real PowerShell engine by a scripted host: a host application with a UI that
/// is not a console. Console-specific cases (-NonInteractive, redirected input) are covered by the Pester tests
/// and by hand under tmux.
/// </summary>
public sealed partial class StartIotQuizHostTests
{
    private static readonly Dictionary<string, string> Key = new()
    {
        ["8.1"] = "B", ["8.2"] = "A", ["8.3"] = "A", ["8.4"] = "B", ["8.5"] = "C",
        ["8.6"] = "C", ["8.7"] = "A", ["8.8"] = "A", ["8.9"] = "A",
    };

    private static readonly JsonElement Source = JsonDocument.Parse(File.ReadAllText(RepoPaths.Module08Source)).RootElement;

    [Fact]
    public void AllNineRightAnswersScoreNineOfNine()
    {
        var host = new ScriptedHost(p => p.IndexOfLetter(Key[QuestionId(p)]));
        var score = Run(host, "module-08");

        Assert.Equal(9, score.Score);
        Assert.Equal(9, score.MaxScore);
        Assert.Equal(100, score.Percent);
        Assert.Equal(Key.Keys, host.Prompts.Select(QuestionId));
        Assert.Equal(9, Regex.Matches(host.Output, "^Correct: ", RegexOptions.Multiline).Count);
        Assert.Contains("You scored 9 of 9 (100%)", host.Output);
        // Each explanation is shown after its answer (the host has no RawUI, so lines are not wrapped).
        foreach (var question in Source.GetProperty("questions").EnumerateArray())
        {
            Assert.Contains(question.GetProperty("explanation").GetString()!, host.Output);
        }
    }

    [Fact]
    public void WrongAnswersGetTheCorrectOptionAndExplanationAndAScore()
    {
        var output = Path.Combine(Path.GetTempPath(), $"iotlabkit-quiz-{Guid.NewGuid():N}.json");
        try
        {
            // Always the first option: right for 8.2, 8.3, 8.7, 8.8 and 8.9 only.
            var host = new ScriptedHost(_ => 0);
            var score = Run(host, "module-08", ("Student", "Scripted"), ("OutputPath", output));

            Assert.Equal(5, score.Score);
            Assert.Equal("Scripted", score.Student);
            Assert.Equal(["8.1", "8.4", "8.5", "8.6"], score.Results.Where(r => !r.IsCorrect).Select(r => r.Question));
            Assert.Contains("Not quite. The answer is B) Direct Methods and Device Twins.", host.Output);
            Assert.Contains(Explanation("8.1"), host.Output);

            using var written = JsonDocument.Parse(File.ReadAllText(output));
            Assert.Equal(5, written.RootElement.GetProperty("score").GetInt32());
            Assert.Equal("A", written.RootElement.GetProperty("answers").GetProperty("8.1").GetString());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void ShuffleReordersQuestionsAndReletttersOptionsButGradesByContent()
    {
        // The scripted student knows the right option by its text, whatever letter it is shown under.
        var host = new ScriptedHost(p => p.IndexOf(CorrectText(QuestionId(p))));
        var score = Run(host, "module-08", ("Shuffle", true), ("Seed", 7));

        Assert.Equal(9, score.Score);
        Assert.Equal(Key.Keys.Order(), host.Prompts.Select(QuestionId).Order());
        Assert.NotEqual(Key.Keys, host.Prompts.Select(QuestionId));
        var relettered = host.Prompts.Count(p => p.IndexOf(CorrectText(QuestionId(p))) != p.IndexOfLetter(Key[QuestionId(p)]));
        Assert.True(relettered > 0, "with shuffled options some correct answers should sit under another letter");
        // Results use the quiz's own letters, so they compare across students whatever order each one saw.
        Assert.All(score.Results, r => Assert.Equal(Key[r.Question], r.Answer));
    }

    [Fact]
    public void SameSeedAsksInTheSameOrder()
    {
        var first = new ScriptedHost(_ => 0);
        var second = new ScriptedHost(_ => 0);
        Run(first, "module-08", ("Shuffle", true), ("Seed", 42));
        Run(second, "module-08", ("Shuffle", true), ("Seed", 42));
        Assert.Equal(first.Prompts.Select(p => p.Message), second.Prompts.Select(p => p.Message));
    }

    [Fact]
    public void AHostWithoutAUserInterfaceGetsAClearError()
    {
        var error = RunExpectingError(host: null);
        Assert.Equal("StartIotQuizHostNotInteractive,IotLabKit.PowerShell.Quiz.StartIotQuizCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Contains("no user interface", error.Exception.Message);
        Assert.Contains("Submit-IotQuiz", error.Exception.Message);
    }

    [Fact]
    public void AHostThatCannotPromptGetsTheSameClearError()
    {
        var error = RunExpectingError(new ScriptedHost(_ => 0, promptThrows: true));
        Assert.Equal("StartIotQuizHostNotInteractive,IotLabKit.PowerShell.Quiz.StartIotQuizCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Contains("cannot prompt", error.Exception.Message);
    }

    [Theory]
    [InlineData(new[] { "pwsh", "-NonInteractive" }, true)]
    [InlineData(new[] { "pwsh.dll", "-NoProfile", "-noni", "-c", "Start-IotQuiz" }, true)]
    [InlineData(new[] { "pwsh", "--noninteractive" }, true)]
    [InlineData(new[] { "pwsh", "-NonInteractive:true" }, true)]
    [InlineData(new[] { "pwsh", "-non" }, false)]
    [InlineData(new[] { "pwsh", "-NoProfile" }, false)]
    [InlineData(new[] { "pwsh", "-Command", "Start-IotQuiz -NonInteractive" }, false)]
    [InlineData(new[] { "pwsh", "-File", "quiz.ps1", "-NonInteractive" }, false)]
    [InlineData(new[] { "pwsh" }, false)]
    public void RecognisesPwshsNonInteractiveSwitch(string[] commandLine, bool expected) =>
        Assert.Equal(expected, InteractiveHost.HasNonInteractiveSwitch(commandLine));

    [Fact]
    public void WrapsExplanationsBetweenWords()
    {
        var lines = StartIotQuizCommand.Wrap("one two three four five six seven eight nine ten eleven", 24).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 24, l));
        Assert.Equal("one two three four five six seven eight nine ten eleven", string.Join(' ', lines));
        Assert.Equal(["unwrapped text"], StartIotQuizCommand.Wrap("unwrapped text", 0));
    }

    private static QuizScore Run(PSHost host, string quiz, params (string Name, object Value)[] parameters)
    {
        using var runspace = OpenRunspace(host);
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddCommand("Start-IotQuiz").AddParameter("Quiz", quiz);
        foreach (var (name, value) in parameters)
        {
            shell.AddParameter(name, value);
        }

        var output = shell.Invoke();
        Assert.Empty(shell.Streams.Error);
        return Assert.IsType<QuizScore>(Assert.Single(output).BaseObject);
    }

    private static ErrorRecord RunExpectingError(PSHost? host)
    {
        using var runspace = OpenRunspace(host);
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddCommand("Start-IotQuiz").AddParameter("Quiz", "module-08");
        var ex = Assert.ThrowsAny<RuntimeException>(() => shell.Invoke());
        return ex.ErrorRecord;
    }

    private static Runspace OpenRunspace(PSHost? host)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule([typeof(StartIotQuizCommand).Assembly.Location]);
        var runspace = host is null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        return runspace;
    }

    private static string QuestionId(ScriptedPrompt prompt) => CaptionId().Match(prompt.Caption).Groups[1].Value;

    private static JsonElement SourceQuestion(string id) =>
        Source.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("id").GetString() == id);

    private static string Explanation(string id) => SourceQuestion(id).GetProperty("explanation").GetString()!;

    private static string CorrectText(string id) => SourceQuestion(id).GetProperty("options").GetProperty(Key[id]).GetString()!;

    // "Question 3 of 9 (8.3, 1 point)"
    [GeneratedRegex(@"\(([^,]+),")]
    private static partial Regex CaptionId();
}
