import type { Config } from '../../config.ts';
import { AppError } from '../../shared/errors.ts';

const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

/** Length and character-class policy (defaults: 10 characters of at least 3 classes). */
export function checkPasswordPolicy(config: Pick<Config, 'passwordMinLength' | 'passwordMinClasses'>, password: string, username?: string): void {
  const problems: string[] = [];
  if (password.length < config.passwordMinLength) problems.push(`at least ${config.passwordMinLength} characters`);
  const classCount = classes.filter((pattern) => pattern.test(password)).length;
  if (classCount < config.passwordMinClasses) problems.push(`at least ${config.passwordMinClasses} of: lower case, upper case, digits, symbols`);
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('must not contain the username');
  if (password.length > 200) problems.push('at most 200 characters');
  if (problems.length > 0) {
    throw new AppError('weak_password', `Password does not meet the policy: ${problems.join('; ')}`, { requirements: problems });
  }
}
