import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { IpStrategyPicker, validateIpStrategy } from './IpStrategyPicker';
import { RestorePointPicker } from './RestorePointPicker';

/** `ui:field: Pf9RestorePointPicker` */
export const restorePointPickerField = createFormField({
  name: 'Pf9RestorePointPicker',
  component: RestorePointPicker,
});

/** `ui:field: Pf9IpStrategyPicker` */
export const ipStrategyPickerField = createFormField({
  name: 'Pf9IpStrategyPicker',
  component: IpStrategyPicker,
  validation: validateIpStrategy,
});
