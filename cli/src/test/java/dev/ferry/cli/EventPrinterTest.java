package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.event.Event;
import dev.ferry.engine.render.Style;
import dev.ferry.engine.resource.ResourceAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EventPrinterTest {

    @Test
    void anInterruptedStepResumesNextTime_andWhatWaitsForItIsNotStarted_neitherIsAFailure() {
        StringWriter text = new StringWriter();
        EventPrinter printer = new EventPrinter(new PrintWriter(text), Style.PLAIN, false, false);
        ResourceAddress ami = ResourceAddress.parse("aws_ami.web-09");

        printer.accept(new Event.StepInterrupted(ami, Event.Verb.CREATE));
        printer.accept(new Event.StepNotStarted(ResourceAddress.parse("aws_instance.web-09"), Event.Verb.CREATE, ami));

        assertThat(text.toString()).isEqualTo("""
                aws_ami.web-09: Creation interrupted; resumes on the next apply
                aws_instance.web-09: Creation not started
                """);
    }
}
