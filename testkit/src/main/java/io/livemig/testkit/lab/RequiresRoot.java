package io.livemig.testkit.lab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lab tests need root (network namespaces, libvirt daemons). Without it each test is reported as
 * skipped with the reason, and no class set-up (lab up) runs. The decision is made per test
 * method, not per class, so that every skipped test is counted and shows the reason.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRoot.Condition.class)
public @interface RequiresRoot {

    String REASON = "needs root: the lab creates network namespaces and runs libvirt daemons";

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Lab.runningAsRoot()) {
                return ConditionEvaluationResult.enabled("running as root");
            }
            if (context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("class: decided per test");
            }
            System.err.println("SKIPPED " + context.getDisplayName() + ": " + REASON);
            return ConditionEvaluationResult.disabled(REASON);
        }
    }
}
