namespace Canopy.Mqtt.Tests;

public sealed class MqttTopicTests
{
    [Theory]
    [InlineData("a/b/c", "a/b/c", true)]
    [InlineData("a/b/c", "a/b", false)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a/+/c", "a/b/c", true)]
    [InlineData("a/+/c", "a/b/d", false)]
    [InlineData("a/+/c", "a//c", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("+", "finance", true)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("#", "a/b/c", true)]
    [InlineData("#", "/", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("sport/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/#", "sport/tennis", true)]
    [InlineData("sport/tennis/#", "sport/tennisplayer", false)]
    [InlineData("nodes/+/status", "nodes/n1/status", true)]
    [InlineData("nodes/+/status", "nodes/n1/status/x", false)]
    [InlineData("nodes/+/#", "nodes/n1", true)]
    [InlineData("A/b", "a/b", false)]
    [InlineData("#", "$SYS/broker/uptime", false)]
    [InlineData("+/broker/uptime", "$SYS/broker/uptime", false)]
    [InlineData("$SYS/#", "$SYS/broker/uptime", true)]
    [InlineData("$SYS/+/uptime", "$SYS/broker/uptime", true)]
    [InlineData("a/#/c", "a/b/c", false)]
    [InlineData("a/b#", "a/b", false)]
    [InlineData("a+/b", "a+/b", false)]
    [InlineData("a/b", "a/+", false)]
    [InlineData("", "a", false)]
    [InlineData("a", "", false)]
    public void Matches(string filter, string topic, bool expected)
    {
        MqttTopic.Matches(filter, topic).ShouldBe(expected, $"filter '{filter}' vs topic '{topic}'");
    }

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("a/+/#", true)]
    [InlineData("/", true)]
    [InlineData("", false)]
    [InlineData("a/#/b", false)]
    [InlineData("a#", false)]
    [InlineData("a/b+", false)]
    [InlineData("a\0b", false)]
    public void Validates_filters(string filter, bool valid) => MqttTopic.IsValidFilter(filter).ShouldBe(valid);

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("/", true)]
    [InlineData("a/+", false)]
    [InlineData("#", false)]
    [InlineData("", false)]
    public void Validates_topic_names(string topic, bool valid) => MqttTopic.IsValidTopicName(topic).ShouldBe(valid);
}
