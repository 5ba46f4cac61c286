namespace Canopy.Core.States.Tests;

public class RestartRulesTests
{
    public enum Exit
    {
        Clean,
        Error,
        Signal,
        Oom,
        Unknown,
    }

    [Theory]
    [InlineData(RestartPolicy.Always, false, Exit.Clean, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.Always, false, Exit.Error, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.Always, false, Exit.Signal, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.Always, false, Exit.Oom, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.Always, false, Exit.Unknown, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.OnFailure, false, Exit.Clean, InstanceStatus.Completed, false)]
    [InlineData(RestartPolicy.OnFailure, false, Exit.Error, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.OnFailure, false, Exit.Signal, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.OnFailure, false, Exit.Oom, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.OnFailure, false, Exit.Unknown, InstanceStatus.Dead, true)]
    [InlineData(RestartPolicy.Never, false, Exit.Clean, InstanceStatus.Completed, false)]
    [InlineData(RestartPolicy.Never, false, Exit.Error, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.Never, false, Exit.Signal, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.Never, false, Exit.Oom, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.Always, true, Exit.Clean, InstanceStatus.Completed, false)]
    [InlineData(RestartPolicy.Always, true, Exit.Error, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.Always, true, Exit.Signal, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.Always, true, Exit.Oom, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.OnFailure, true, Exit.Clean, InstanceStatus.Completed, false)]
    [InlineData(RestartPolicy.OnFailure, true, Exit.Error, InstanceStatus.Dead, false)]
    [InlineData(RestartPolicy.Never, true, Exit.Clean, InstanceStatus.Completed, false)]
    [InlineData(RestartPolicy.Never, true, Exit.Oom, InstanceStatus.Dead, false)]
    public void OnExit_PolicyOneShotAndExit_Decide(RestartPolicy policy, bool oneShot, Exit exit, InstanceStatus status, bool restart)
    {
        var (code, signal, oom) = Describe(exit);

        var decision = RestartRules.OnExit(policy, oneShot, code, signal, oom, consecutiveRestarts: 2);

        decision.Status.ShouldBe(status);
        decision.Restart.ShouldBe(restart);
        decision.Delay.ShouldBe(restart ? RestartRules.Backoff(2) : TimeSpan.Zero);
        decision.Detail.ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData(-1, 250)]
    [InlineData(0, 250)]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(6, 16000)]
    [InlineData(7, 30000)]
    [InlineData(8, 30000)]
    [InlineData(1000, 30000)]
    [InlineData(int.MaxValue, 30000)]
    public void Backoff_DoublesAndCapsAtThirtySeconds(int restarts, int milliseconds)
    {
        RestartRules.Backoff(restarts).ShouldBe(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Fact]
    public void Backoff_NeverDecreasesAndNeverExceedsTheCap()
    {
        var previous = TimeSpan.Zero;
        for (var i = 0; i < 64; i++)
        {
            var delay = RestartRules.Backoff(i);
            delay.ShouldBeGreaterThanOrEqualTo(previous);
            delay.ShouldBeLessThanOrEqualTo(RestartRules.MaxDelay);
            previous = delay;
        }
    }

    [Theory]
    [InlineData(Exit.Clean, "exited with code 0")]
    [InlineData(Exit.Error, "exited with code 1")]
    [InlineData(Exit.Signal, "killed by SIGKILL (exit 137)")]
    [InlineData(Exit.Oom, "OOMKilled")]
    [InlineData(Exit.Unknown, "exit code unknown")]
    public void Describe_SaysHowItEnded(Exit exit, string text)
    {
        var (code, signal, oom) = Describe(exit);

        RestartRules.Describe(code, signal, oom).ShouldContain(text);
    }

    private static (int? Code, string? Signal, bool Oom) Describe(Exit exit) => exit switch
    {
        Exit.Clean => (0, null, false),
        Exit.Error => (1, null, false),
        Exit.Signal => (137, "SIGKILL", false),
        Exit.Oom => (137, null, true),
        _ => (null, null, false),
    };
}
